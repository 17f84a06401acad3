// The iOS app's other screens, mirroring android/screens (ReportDetail.kt, Alerts.kt, Account.kt,
// the nearby and conflict parts of Lists.kt). NOT COMPILED ON THE PROJECT'S MACHINES (no Swift
// toolchain): kept small; every decision and every translated text comes from the core's view.

import MapKit
import RelaisCore
import SwiftUI

/// One of my reports: its timeline, a message to the town, "fixed" or "not fixed" once resolved.
struct ReportDetail: View {
    let shell: RelaisShell
    let view: ViewModel
    let reportId: String
    @State private var reply = ""
    @State private var satisfaction = 0

    var body: some View {
        List {
            if let detail = view.opened, detail.report.id == reportId {
                ReportRow(view: view, report: detail.report)
                ForEach(Array(detail.timeline.enumerated()), id: \.offset) { _, entry in
                    VStack(alignment: .leading) {
                        Text(entry.label + (entry.queued ? words(view, " — en attente d'envoi", " — waiting to be sent") : ""))
                            .font(.subheadline)
                        if let text = entry.text { Text(text).font(.caption) }
                    }
                    .padding(.leading, entry.kind == .reply ? 24 : 0)
                    .listRowBackground(entry.kind == .message ? Color.accentColor.opacity(0.1) : nil)
                }
                if detail.canConfirm {
                    Section(words(view, "Le problème est-il réglé ?", "Is the problem fixed?")) {
                        Stepper(words(view, "Satisfaction", "Satisfaction") + " \(satisfaction)/5", value: $satisfaction, in: 0...5)
                        Button(words(view, "C'est réglé", "It is fixed")) { confirm(fixed: true) }
                        Button(words(view, "Ce n'est pas réglé", "It is not fixed")) { confirm(fixed: false) }
                    }
                }
                Section {
                    TextField(words(view, "Écrire à la ville", "Write to the town"), text: $reply)
                    Button(words(view, "Envoyer le message", "Send the message")) {
                        shell.send(.reply(reportId: reportId, text: reply))
                        reply = ""
                    }.disabled(reply.trimmingCharacters(in: .whitespaces).isEmpty)
                }
            } else {
                ProgressView()
            }
        }
        .onAppear { shell.send(.openReport(reportId: reportId)) }
    }

    private func confirm(fixed: Bool) {
        shell.send(.confirmResolution(reportId: reportId, fixed: fixed,
                                      satisfaction: satisfaction > 0 ? UInt8(satisfaction) : nil))
    }
}

/// Open reports near me, to say "me too" rather than report the same problem again.
struct NearbyReports: View {
    let shell: RelaisShell
    let view: ViewModel
    @ObservedObject var location: Location
    @State private var category: String?

    var body: some View {
        List {
            Picker(words(view, "Catégorie", "Category"), selection: $category) {
                ForEach(view.categories, id: \.code) { Text($0.name).tag(Optional($0.code)) }
            }
            Button(words(view, "Chercher autour de moi", "Look around me")) {
                guard let category else { return }
                location.fix { fix in
                    shell.send(.findNearby(category: category, lat: fix.coordinate.latitude, lon: fix.coordinate.longitude))
                }
            }.disabled(category == nil)
            if let nearby = view.nearby {
                if let answeredBy = nearby.answeredBy { Text(answeredBy).font(.caption) }
                ForEach(nearby.reports, id: \.report.id) { near in
                    VStack(alignment: .leading) {
                        ReportRow(view: view, report: near.report)
                        Text(words(view, "à \(Int(near.distanceM)) m", "\(Int(near.distanceM)) m away")).font(.caption)
                        if near.report.supported {
                            Text(words(view, "✓ Vous l'avez signalé aussi", "✓ You reported it too")).font(.caption)
                        } else if !near.report.mine {
                            Button(words(view, "Moi aussi", "Me too")) { shell.send(.support(reportId: near.report.id)) }
                        }
                    }
                }
            }
        }
    }
}

/// The alerts of the areas I follow, the areas I follow and why, and following another one.
struct Alerts: View {
    let shell: RelaisShell
    let view: ViewModel
    @State private var query = ""

    var body: some View {
        List {
            if view.alerts.isEmpty {
                Text(words(view, "Aucune alerte dans les quartiers que vous suivez.", "No alert in the areas you follow."))
            }
            ForEach(view.alerts, id: \.id) { alert in
                VStack(alignment: .leading) {
                    Text(alert.title).font(.headline)
                    Text(period(alert)).font(.caption)
                    Text(alert.text)
                }
                .listRowBackground(alert.current ? Color.orange.opacity(0.15) : nil)
            }
            Section(words(view, "Quartiers suivis", "Areas you follow")) {
                ForEach(view.zones.filter { $0.followed && $0.via == nil }, id: \.code) { zone in
                    HStack {
                        VStack(alignment: .leading) {
                            Text(zone.name)
                            if let why = zone.why { Text(why).font(.caption) }
                        }
                        Spacer()
                        Button(words(view, "Ne plus suivre", "Unfollow")) { shell.send(.unfollowZone(zone: zone.code)) }
                    }
                }
                TextField(words(view, "Rechercher un quartier", "Search an area"), text: $query)
                ForEach(view.zones.filter { !$0.followed && !query.isEmpty && $0.name.localizedCaseInsensitiveContains(query) }.prefix(6),
                        id: \.code) { zone in
                    Button(words(view, "Suivre ", "Follow ") + zone.name) { shell.send(.followZone(zone: zone.code)) }
                }
            }
        }
    }

    private func period(_ alert: AlertView) -> String {
        let style = Date.FormatStyle(date: .abbreviated, time: .shortened)
            .locale(Locale(identifier: view.language == "fr" ? "fr_FR" : "en_GB"))
        let from = Date(timeIntervalSince1970: Double(alert.startsAtMs) / 1000).formatted(style)
        let to = Date(timeIntervalSince1970: Double(alert.endsAtMs) / 1000).formatted(style)
        return words(view, "du \(from) au \(to)", "from \(from) to \(to)")
    }
}

/// My optional account and my data rights: export, and deletion after a confirmation.
struct AccountScreen: View {
    let shell: RelaisShell
    let view: ViewModel
    @State private var email = ""
    @State private var phone = ""
    @State private var contact = ContactChannel.inApp
    @State private var code = ""
    @State private var confirmingDeletion = false

    var body: some View {
        Form {
            Section(words(view, "Mon compte", "My account")) {
                TextField(words(view, "E-mail", "E-mail"), text: $email)
                TextField(words(view, "Téléphone (facultatif)", "Phone (optional)"), text: $phone)
                Picker(words(view, "Être prévenu", "Tell me"), selection: $contact) {
                    Text(words(view, "Dans l'appli", "In the app")).tag(ContactChannel.inApp)
                    Text(words(view, "Par e-mail", "By e-mail")).tag(ContactChannel.email)
                    Text(words(view, "Par SMS", "By text")).tag(ContactChannel.sms)
                }
                Button(words(view, "Enregistrer mon compte", "Save my account")) {
                    shell.send(.setAccount(email: email, phone: phone.isEmpty ? nil : phone, contact: contact, language: view.language))
                }
                if case let .ready(email, _, _, linkCode, devices) = view.account {
                    Text(email).font(.headline)
                    Text(words(view, "\(devices) appareil(s) relié(s)", "\(devices) device(s) linked")).font(.caption)
                    Text(words(view, "Code pour relier un autre appareil : ", "Code to link another device: ") + linkCode)
                }
                TextField(words(view, "Relier cet appareil avec un code", "Link this device with a code"), text: $code)
                Button(words(view, "Relier", "Link")) { shell.send(.linkAccount(code: code)) }.disabled(code.isEmpty)
            }
            Section(words(view, "Mes données", "My data")) {
                Button(words(view, "Exporter mes données", "Export my data")) { shell.send(.exportAccount) }
                if case let .exported(json) = view.account {
                    ShareLink(words(view, "Partager l'export", "Share the export"), item: json)
                    Text(json).font(.caption.monospaced()).lineLimit(12).textSelection(.enabled)
                }
                Button(words(view, "Supprimer mon compte", "Delete my account"), role: .destructive) { confirmingDeletion = true }
            }
            if case let .failed(problem) = view.account { Text(problem.message).foregroundStyle(.red) }
        }
        .confirmationDialog(
            words(view, "Votre identité sera supprimée du serveur ; vos signalements resteront, anonymes. Cet appareil sera remis à zéro.",
                  "Your identity will be deleted from the server; your reports stay, anonymised. This device will be reset."),
            isPresented: $confirmingDeletion, titleVisibility: .visible
        ) {
            Button(words(view, "Oui, tout supprimer", "Yes, delete everything"), role: .destructive) { shell.send(.deleteAccount) }
        }
    }
}

/// A change the server refused because the report moved on: mine, the report now, apply again.
struct ConflictRow: View {
    let shell: RelaisShell
    let view: ViewModel
    let item: OutboxItemView

    var body: some View {
        if let conflict = item.conflict {
            VStack(alignment: .leading) {
                if let reason = item.reason { Text(reason).font(.headline) }
                if let change = item.change { Text(words(view, "Votre modification : ", "Your change: ") + change).font(.caption) }
                if let now = conflict.currentStatusLabel {
                    Text(words(view, "Le signalement maintenant : ", "The report now: ") + now).font(.caption)
                }
                if conflict.canReapply {
                    Button(words(view, "Réappliquer", "Apply again")) { shell.send(.reapply(mutationId: item.id)) }
                } else if let problem = conflict.reapplyProblem {
                    Text(problem).foregroundStyle(.red)
                }
            }
        }
    }
}

/// The map behind the pin, with MapKit: the town's zone outlines the core sends, the pin and the
/// GPS fix's accuracy circle; a tap places the pin. Points come as fractions of the core's frame
/// and are turned back into coordinates with its bounds.
struct PinMap: View {
    let map: MapView
    let onPlace: (CLLocationCoordinate2D) -> Void

    var body: some View {
        MapReader { proxy in
            Map(initialPosition: .region(region)) {
                ForEach(map.outlines, id: \.code) { outline in
                    ForEach(Array(outline.rings.enumerated()), id: \.offset) { _, ring in
                        MapPolyline(coordinates: ring.map(coordinate))
                            .stroke(.secondary, lineWidth: outline.level == 0 ? 3 : 1)
                    }
                }
                if let pin = map.pin {
                    if let radius = map.accuracyRadius {
                        MapCircle(center: coordinate(pin), radius: radius * widthMetres)
                            .foregroundStyle(.blue.opacity(0.15))
                    }
                    Marker("", coordinate: coordinate(pin))
                }
            }
            .onTapGesture { point in
                if let place = proxy.convert(point, from: .local) { onPlace(place) }
            }
        }
        .aspectRatio(1, contentMode: .fit)
    }

    private var region: MKCoordinateRegion {
        MKCoordinateRegion(
            center: CLLocationCoordinate2D(latitude: (map.north + map.south) / 2, longitude: (map.west + map.east) / 2),
            span: MKCoordinateSpan(latitudeDelta: map.north - map.south, longitudeDelta: map.east - map.west))
    }

    /// The frame is square on the ground: its width in metres is its height in degrees of latitude.
    private var widthMetres: Double { (map.north - map.south) * 111_320 }

    private func coordinate(_ point: MapPoint) -> CLLocationCoordinate2D {
        CLLocationCoordinate2D(latitude: map.north - point.y * (map.north - map.south),
                               longitude: map.west + point.x * (map.east - map.west))
    }
}
