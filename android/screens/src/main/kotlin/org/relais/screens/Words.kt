package org.relais.screens

/**
 * The screens' own words (buttons, titles), in French and English. Everything else a user reads
 * (statuses, problems, messages) comes translated in the core's view model.
 */
class Words(language: String) {
    private val fr = language == "fr"

    private fun t(french: String, english: String) = if (fr) french else english

    val starting = t("Démarrage…", "Starting…")
    val welcome = t("Bienvenue dans Relais", "Welcome to Relais")
    val language = t("Langue", "Language")
    val server = t("Adresse du serveur de la ville", "Your town's server address")
    val town = t("Code de la ville", "Town code")
    val enrolment = t("Code agent (facultatif)", "Staff code (optional)")
    val begin = t("Commencer", "Start")
    val tabReport = t("Signaler", "Report")
    val tabMine = t("Mes signalements", "My reports")
    val tabNearby = t("À proximité", "Nearby")
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
    val lookAround = t("Chercher autour de moi", "Look around me")
    val rate = t("Noter", "Rate")
    val satisfaction = t("Satisfaction", "Satisfaction")
    val importance = t("Importance", "Importance")
    val resolve = t("Résolu", "Resolve")
    val transfer = t("Transférer", "Transfer")
    val reapply = t("Réappliquer", "Apply again")
    val conflicts = t("Changements refusés", "Refused changes")
    val back = t("Retour", "Back")
    val nothingYet = t("Rien pour l'instant.", "Nothing yet.")
    val syncNow = t("Synchroniser", "Sync now")

    fun photos(count: Int) = t("$count photo(s)", "$count photo(s)")

    fun photosSent(sent: Int, total: Int) = t("$sent sur $total photos envoyées", "$sent of $total photos sent")

    fun supporters(count: Int) = t("$count soutien(s)", "$count supporter(s)")

    fun distance(metres: Double) = t("à ${metres.toInt()} m", "${metres.toInt()} m away")
}
