// The Relais iOS app: the same screens as the Android app (android/screens), in SwiftUI, on the
// same core. NOT COMPILED ON THE PROJECT'S MACHINES (no Swift toolchain): kept small, mirroring
// the Kotlin screens that are built and UI-tested on the desktop JVM.

import BackgroundTasks
import CoreLocation
import PhotosUI
import RelaisCore
import SwiftUI

@main
struct RelaisApp: App {
    @StateObject private var shell = RelaisShell()
    @StateObject private var location = Location()

    init() {
        // The core decides when to sync; the system only wakes the app when it has a network.
        BGTaskScheduler.shared.register(forTaskWithIdentifier: "org.relais.sync", using: nil) { task in
            Task { @MainActor in
                RelaisShell.current?.send(.networkBack)
                task.setTaskCompleted(success: true)
            }
        }
    }

    var body: some Scene {
        WindowGroup {
            Root(shell: shell, location: location)
                .task {
                    let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
                    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                    try? shell.start(dataDir: dir)
                    RelaisShell.current = shell
                    _ = try? await UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound])
                }
        }
    }
}

struct Root: View {
    @ObservedObject var shell: RelaisShell
    @ObservedObject var location: Location

    var body: some View {
        if let view = shell.view, view.ready {
            if let registration = view.registration {
                TabView {
                    if registration.isStaff {
                        WorkList(shell: shell, view: view).tabItem { Text(words(view, "Travail", "Work")) }
                    } else {
                        Filing(shell: shell, view: view, location: location)
                            .tabItem { Text(words(view, "Signaler", "Report")) }
                    }
                    MyReports(shell: shell, view: view).tabItem { Text(words(view, "Mes signalements", "My reports")) }
                    if !registration.isStaff {
                        NearbyReports(shell: shell, view: view, location: location)
                            .tabItem { Text(words(view, "À proximité", "Nearby")) }
                        Alerts(shell: shell, view: view).tabItem { Text(words(view, "Alertes", "Alerts")) }
                        AccountScreen(shell: shell, view: view).tabItem { Text(words(view, "Mon compte", "My account")) }
                    }
                }
            } else {
                FirstLaunch(shell: shell, view: view)
            }
        } else {
            ProgressView()
        }
    }
}

/// The screens' own words, in French and English (everything else comes from the core).
func words(_ view: ViewModel, _ fr: String, _ en: String) -> String { view.language == "fr" ? fr : en }

struct FirstLaunch: View {
    let shell: RelaisShell
    let view: ViewModel
    @State private var server = ""
    @State private var town = ""
    @State private var code = ""

    var body: some View {
        Form {
            Picker(words(view, "Langue", "Language"), selection: Binding(
                get: { view.language }, set: { shell.send(.setLanguage(language: $0)) })) {
                Text("Français").tag("fr")
                Text("English").tag("en")
            }
            TextField(words(view, "Adresse du serveur de la ville", "Your town's server address"), text: $server)
            TextField(words(view, "Code de la ville", "Town code"), text: $town)
            TextField(words(view, "Code agent (facultatif)", "Staff code (optional)"), text: $code)
            Button(words(view, "Commencer", "Start")) {
                shell.send(.register(serverUrl: server, tenant: town, platform: "ios",
                                     enrolmentCode: code.isEmpty ? nil : code))
            }
            if let problem = view.registrationProblem { Text(problem.message).foregroundStyle(.red) }
            if case let .deleted(message) = view.account { Text(message) }
        }
    }
}

struct Filing: View {
    let shell: RelaisShell
    let view: ViewModel
    @ObservedObject var location: Location
    @State private var query = ""
    @State private var text = ""
    @State private var photo: PhotosPickerItem?

    var body: some View {
        Form {
            if let draft = view.draft {
                switch draft.step {
                case .category:
                    TextField(words(view, "Rechercher une catégorie", "Search a category"), text: $query)
                    ForEach(view.categories.filter { query.isEmpty || $0.name.localizedCaseInsensitiveContains(query) }.prefix(8),
                            id: \.code) { category in
                        Button(category.name) { draftChange(.setCategory(code: category.code)) }
                    }
                case .location:
                    Button(words(view, "Ma position", "My position")) {
                        location.fix { fix in
                            draftChange(.setLocation(lat: fix.coordinate.latitude, lon: fix.coordinate.longitude,
                                                     accuracyM: fix.horizontalAccuracy, source: .gps))
                        }
                    }
                case .photos:
                    PhotosPicker(words(view, "Ajouter une photo", "Add a photo"), selection: $photo, matching: .images)
                        .onChange(of: photo) { _, item in importPhoto(item) }
                    Button(words(view, "Continuer", "Continue")) { draftChange(.photosDone) }
                default:
                    TextField(words(view, "Décrivez le problème", "Describe the problem"), text: $text)
                    Button(words(view, "Envoyer", "Send")) {
                        draftChange(.setText(text: text))
                        draftChange(.submit)
                    }
                }
                if let problem = draft.problem ?? view.draftProblem { Text(problem).foregroundStyle(.red) }
                if let map = draft.map {
                    PinMap(map: map) { place in
                        draftChange(.setLocation(lat: place.latitude, lon: place.longitude, accuracyM: nil, source: .pin))
                    }
                }
            } else {
                if case let .saved(_, _, message, _) = view.action { Text(message) }
                Button(words(view, "Nouveau signalement", "New report")) { draftChange(.start) }
            }
        }
    }

    private func draftChange(_ change: DraftIntent) { shell.send(.draft(change: change)) }

    /// Saves the picked picture as JPEG (HEIC is converted by UIImage) and adds it to the draft.
    private func importPhoto(_ item: PhotosPickerItem?) {
        Task {
            guard let data = try? await item?.loadTransferable(type: Data.self),
                  let jpeg = UIImage(data: data)?.jpegData(compressionQuality: 0.9) else { return }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".jpg")
            try? jpeg.write(to: file)
            draftChange(.addPhoto(path: file.path))
        }
    }
}

struct ReportRow: View {
    let view: ViewModel
    let report: ReportView

    var body: some View {
        VStack(alignment: .leading) {
            Text(report.categoryName).font(.headline)
            Text(report.text)
            Text(report.statusLabel).font(.subheadline)
            if let refusal = report.refusal { Text(refusal).foregroundStyle(.red) }
            if report.mine, Int(report.photosSent) < report.photos.count {
                Text(words(view, "\(report.photosSent) sur \(report.photos.count) photos envoyées",
                           "\(report.photosSent) of \(report.photos.count) photos sent")).font(.caption)
            }
        }
    }
}

struct MyReports: View {
    let shell: RelaisShell
    let view: ViewModel

    var body: some View {
        NavigationStack {
            List {
                if let next = view.nextSync { Text(next.message).font(.caption) }
                ForEach(view.reports.filter(\.mine), id: \.id) { report in
                    NavigationLink {
                        ReportDetail(shell: shell, view: view, reportId: report.id)
                    } label: {
                        ReportRow(view: view, report: report)
                    }
                }
            }
        }
    }
}

struct WorkList: View {
    let shell: RelaisShell
    let view: ViewModel

    var body: some View {
        List {
            ForEach(view.outbox.filter { $0.conflict != nil }, id: \.id) { item in ConflictRow(shell: shell, view: view, item: item) }
            ForEach(view.work, id: \.report.id) { task in
                VStack(alignment: .leading) {
                    ReportRow(view: view, report: task.report)
                    HStack {
                        Button(words(view, "Résolu", "Resolve")) { act(task.report.id, .resolve) }
                        Menu(words(view, "Transférer", "Transfer")) {
                            ForEach(view.departments.filter { $0.code != task.report.serviceCode }, id: \.code) { department in
                                Button(department.name) { act(task.report.id, .transfer(service: department.code)) }
                            }
                        }
                    }
                }
            }
        }
    }

    private func act(_ reportId: String, _ action: StaffActionInput) {
        shell.send(.staffAction(reportId: reportId, action: action, reply: nil, note: nil, photos: []))
    }
}

/// One GPS fix from CoreLocation.
final class Location: NSObject, ObservableObject, CLLocationManagerDelegate {
    private let manager = CLLocationManager()
    private var pending: ((CLLocation) -> Void)?

    override init() {
        super.init()
        manager.delegate = self
    }

    func fix(_ then: @escaping (CLLocation) -> Void) {
        pending = then
        manager.requestWhenInUseAuthorization()
        manager.requestLocation()
    }

    func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        if let last = locations.last { pending?(last); pending = nil }
    }

    func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) { pending = nil }
}
