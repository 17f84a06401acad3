package org.relais.screens

import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle
import java.util.Locale

/**
 * The screens' own words (buttons, titles), in French and English, and dates in the device's time
 * zone (as the CLI prints them). Everything else a user reads (statuses, problems, messages)
 * comes translated in the core's view model.
 */
class Words(language: String) {
    private val fr = language == "fr"

    private fun t(french: String, english: String) = if (fr) french else english

    private val dates = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.SHORT)
        .withLocale(if (fr) Locale.FRENCH else Locale.ENGLISH)
        .withZone(ZoneId.systemDefault())

    /** A moment, in the device's time zone: `03/12/2026 14:05`. */
    fun dateTime(ms: Long): String = dates.format(Instant.ofEpochMilli(ms))

    /** When an alert applies. */
    fun period(fromMs: Long, toMs: Long) =
        t("du ${dateTime(fromMs)} au ${dateTime(toMs)}", "from ${dateTime(fromMs)} to ${dateTime(toMs)}")

    val starting = t("Démarrage…", "Starting…")
    val welcome = t("Bienvenue dans Relais", "Welcome to Relais")
    val language = t("Langue", "Language")
    val server = t("Adresse du serveur de la ville", "Your town's server address")
    val town = t("Code de la ville", "Town code")
    val enrolment = t("Code agent (facultatif)", "Staff code (optional)")
    val begin = t("Commencer", "Start")
    val tabReport = t("Signaler", "Report")
    val tabMine = t("Les miens", "Mine")
    val tabNearby = t("Autour", "Nearby")
    val tabServices = t("Services", "Services")
    val tabWork = t("Travail", "Work")
    val newReport = t("Nouveau signalement", "New report")
    val searchCategory = t("Rechercher une catégorie", "Search a category")
    val useGps = t("Ma position", "My position")
    val placePin = t("Placer le repère", "Place the pin")
    val accuracy = t("précision", "accuracy")
    val addPhoto = t("Ajouter une photo", "Add a photo")
    val photosDone = t("Continuer", "Continue")
    val describe = t("Décrivez le problème", "Describe the problem")
    val review = t("Vérifier", "Review")
    val send = t("Envoyer", "Send")
    val discard = t("Abandonner", "Discard")
    val meToo = t("Moi aussi", "Me too")
    val youSupport = t("✓ Vous l'avez signalé aussi", "✓ You reported it too")
    val lookAround = t("Chercher autour de moi", "Look around me")
    val rate = t("Noter", "Rate")
    val satisfaction = t("Satisfaction", "Satisfaction")
    val importance = t("Importance", "Importance")
    val resolve = t("Résolu", "Resolve")
    val transfer = t("Transférer", "Transfer")
    val start = t("J'y vais", "On it")
    val reapply = t("Réappliquer", "Apply again")
    val conflicts = t("Changements refusés", "Refused changes")
    val back = t("Retour", "Back")
    val nothingYet = t("Rien pour l'instant.", "Nothing yet.")
    val syncNow = t("Synchroniser", "Sync now")
    val tabAlerts = t("Alertes", "Alerts")
    val account = t("Mon compte", "My account")
    val writeToTown = t("Écrire à la ville", "Write to the town")
    val sendReply = t("Envoyer le message", "Send the message")
    val isItFixed = t("Le problème est-il réglé ?", "Is the problem fixed?")
    val fixed = t("C'est réglé", "It is fixed")
    val notFixed = t("Ce n'est pas réglé", "It is not fixed")
    val waitingToSend = t("en attente d'envoi", "waiting to be sent")
    val alertsNow = t("En ce moment", "Now")
    val alertsSoon = t("À venir", "Upcoming")
    val noAlerts = t("Aucune alerte dans les quartiers que vous suivez.", "No alert in the areas you follow.")
    val followedZones = t("Quartiers suivis", "Areas you follow")
    val searchZone = t("Rechercher un quartier", "Search an area")
    val follow = t("Suivre", "Follow")
    val unfollow = t("Ne plus suivre", "Unfollow")
    val accountIntro = t(
        "Un compte est facultatif : il sert à être prévenu par e-mail ou SMS et à relier vos appareils.",
        "An account is optional: it lets the town reach you by e-mail or text and links your devices.",
    )
    val email = t("E-mail", "E-mail")
    val phone = t("Téléphone (facultatif)", "Phone (optional)")
    val contactBy = t("Être prévenu", "Tell me")
    val inApp = t("Dans l'appli", "In the app")
    val byEmail = t("Par e-mail", "By e-mail")
    val bySms = t("Par SMS", "By text")
    val saveAccount = t("Enregistrer mon compte", "Save my account")
    val linkCode = t("Code pour relier un autre appareil", "Code to link another device")
    val linkWithCode = t("Relier cet appareil avec un code", "Link this device with a code")
    val link = t("Relier", "Link")
    val dataRights = t("Mes données", "My data")
    val exportData = t("Exporter mes données", "Export my data")
    val exported = t("Voici tout ce que le serveur de la ville détient sur vous :", "This is everything the town's server holds about you:")
    val deleteAccount = t("Supprimer mon compte", "Delete my account")
    val deleteWarning = t(
        "Votre identité sera supprimée du serveur ; vos signalements resteront, anonymes. Cet appareil sera remis à zéro.",
        "Your identity will be deleted from the server; your reports stay, anonymised. This device will be reset.",
    )
    val confirmDelete = t("Oui, tout supprimer", "Yes, delete everything")
    val cancel = t("Annuler", "Cancel")
    val working = t("Un instant…", "One moment…")
    val transferTo = t("Transférer à", "Transfer to")
    val yourChange = t("Votre modification", "Your change")
    val reportNow = t("Le signalement maintenant", "The report now")
    val map = t("Carte", "Map")

    /** `label : value` in French, `label: value` in English. */
    fun labelled(label: String, value: String) = t("$label : $value", "$label: $value")

    val otherCategory = t("Autre catégorie", "Other category")

    fun pendingChanges(count: Int) = t("$count modification(s) en attente d'envoi", "$count change(s) waiting to be sent")

    fun devices(count: Int) = t("$count appareil(s) relié(s)", "$count device(s) linked")

    fun version(number: Long) = t("version $number", "version $number")

    fun photos(count: Int) = t("$count photo(s)", "$count photo(s)")

    fun photosSent(sent: Int, total: Int) = t("$sent sur $total photos envoyées", "$sent of $total photos sent")

    fun supporters(count: Int) = t("$count soutien(s)", "$count supporter(s)")

    fun distance(metres: Double) = t("à ${metres.toInt()} m", "${metres.toInt()} m away")
}
