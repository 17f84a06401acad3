package org.relais.shell

import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicBoolean
import org.relais.core.AnswerInput
import org.relais.core.AnswerValue
import org.relais.core.ContactChannel
import org.relais.core.CoreException
import org.relais.core.DraftIntent
import org.relais.core.Intent
import org.relais.core.Notification
import org.relais.core.PlacedBy
import org.relais.core.RelaisCore
import org.relais.core.ReportQuery
import org.relais.core.Shell
import org.relais.core.StaffActionInput
import org.relais.core.SyncSchedule
import org.relais.core.ViewModel
import org.relais.core.WorkQuery
import org.relais.core.phoneSyncSchedule

/**
 * Receives the core's notifications, on the shell's main thread. On Android, show them as system
 * notifications.
 */
fun interface NotificationListener {
    fun onNotification(notification: Notification)
}

/**
 * Receives every new [ViewModel], on the shell's main thread.
 */
fun interface ViewModelListener {
    fun onViewModel(view: ViewModel)
}

/**
 * The native side of the Relais core: the one object a screen talks to.
 *
 * It owns a [RelaisCore] (the Rust core, through the UniFFI bindings in `org.relais.core`),
 * implements the core's [Shell] callback, and publishes the latest [ViewModel] to
 * [ViewModelListener]s. Its methods only turn calls into the core's [Intent]s: validation,
 * formatting and translation all happen in the core, whose view model already carries the
 * strings to show.
 *
 * Threads: the core calls [Shell.render] on its own (Rust) threads, or on the caller's thread
 * during [RelaisCore.send]. This class never touches listeners there: it hops to [mainThread]
 * first, reads the view model there and notifies the listeners there, so listeners, [view] and
 * the ordering of updates all belong to the main thread. On Android pass
 * `Handler(Looper.getMainLooper())::post`; the JVM tests pass a single-thread executor. Several
 * renders in a row are coalesced into one read of the view model, which is always the latest.
 *
 * Lifecycle: [start] opens the core once, [close] releases it (the Rust side holds this shell's
 * callback, so an unclosed shell is kept alive until the process ends). Listeners should be added
 * and removed on the main thread.
 */
class RelaisShell(private val mainThread: Executor) : AutoCloseable {

    @Volatile
    private var core: RelaisCore? = null

    @Volatile
    private var closed = false

    private val listeners = CopyOnWriteArrayList<ViewModelListener>()

    /** A refresh is already queued on the main thread: further renders need not queue another. */
    private val refreshQueued = AtomicBoolean(false)

    /**
     * The latest view model published on the main thread; `null` before the first one.
     * Read it on the main thread (it is volatile, so tests may read it after draining that thread).
     */
    @Volatile
    var view: ViewModel? = null
        private set

    /** The [Shell] the core calls back; kept apart so that `render` is not part of this class's API. */
    private val callback = object : Shell {
        override fun render() = scheduleRefresh()

        override fun notify(notification: Notification) =
            mainThread.execute { notificationListeners.forEach { it.onNotification(notification) } }
    }

    private val notificationListeners = CopyOnWriteArrayList<NotificationListener>()

    /**
     * Receives the core's notifications, on the main thread: `kind` is `report` (a report's status
     * changed, the town wrote; `id` is the report's) or `alert` (a notice of a followed zone).
     */
    fun addNotificationListener(listener: NotificationListener) {
        notificationListeners.add(listener)
    }

    /** Removes a [NotificationListener]. */
    fun removeNotificationListener(listener: NotificationListener) {
        notificationListeners.remove(listener)
    }

    /**
     * Opens the app's data in [dataDir] (created by the core if missing) and starts the core with
     * the device language tag [language] (`fr-FR`, `en-GB`...); a language chosen in the app
     * earlier ([setLanguage]) wins over it. Loading continues in the background: the view model
     * says `ready` when it is done. With [autoSync] (a phone's schedule by default) the core syncs
     * by itself: after filing, on [networkBack], and on a timer with backoff; `null` syncs only
     * on [sync].
     *
     * @throws CoreException.Storage if the local store cannot be opened.
     * @throws IllegalStateException if already started or closed.
     */
    fun start(dataDir: String, language: String, autoSync: SyncSchedule? = phoneSyncSchedule()) {
        synchronized(this) {
            check(!closed) { "RelaisShell is closed" }
            check(core == null) { "RelaisShell is already started" }
            core = RelaisCore(dataDir, language, autoSync, callback)
        }
        // Renders that arrived while the constructor ran found no core yet: read once now.
        scheduleRefresh()
    }

    /** Overrides the device language for this app (`fr`, `en`...); saved on the device. */
    fun setLanguage(language: String) = send(Intent.SetLanguage(language = language))

    /**
     * Registers this device with [tenant] (a town) on the server at [serverUrl]; [platform] is
     * reported to the server; a field agent's device passes the town's one-time [enrolmentCode].
     * The outcome shows up in [ViewModel.registration] or [ViewModel.registrationProblem].
     */
    fun register(serverUrl: String, tenant: String, platform: String = "android", enrolmentCode: String? = null) =
        send(Intent.Register(serverUrl = serverUrl, tenant = tenant, platform = platform, enrolmentCode = enrolmentCode))

    /**
     * Files a report: the core validates it, saves it on the device and queues it for the next
     * sync. The outcome shows up in [ViewModel.filing].
     */
    fun fileReport(
        category: String,
        lat: Double,
        lon: Double,
        accuracyM: Double?,
        text: String,
        answers: List<AnswerInput> = emptyList(),
        photos: List<String> = emptyList(),
    ) = send(
        Intent.FileReport(
            category = category,
            lat = lat,
            lon = lon,
            accuracyM = accuracyM,
            text = text,
            answers = answers,
            photos = photos,
        ),
    )

    /** Sends what is queued and fetches what changed; progress shows up in [ViewModel.sync]. */
    fun sync() = send(Intent.Sync)

    /** The platform saw the network come back (Android: a connectivity callback). */
    fun networkBack() = send(Intent.NetworkBack)

    /** Changes the report being written; the draft and its problem show up in [ViewModel.draft]. */
    fun draft(change: DraftIntent) = send(Intent.Draft(change = change))

    /** Starts writing a report (a new draft, or the one left unfinished). */
    fun startDraft() = draft(DraftIntent.Start)

    fun draftCategory(code: String) = draft(DraftIntent.SetCategory(code = code))

    /** The location of a GPS fix with its accuracy, or of the pin the user placed. */
    fun draftLocation(lat: Double, lon: Double, accuracyM: Double?, source: PlacedBy) =
        draft(DraftIntent.SetLocation(lat = lat, lon = lon, accuracyM = accuracyM, source = source))

    /** A picture file (JPEG, PNG, WebP: the platform converts HEIC first). */
    fun draftPhoto(path: String) = draft(DraftIntent.AddPhoto(path = path))

    fun draftPhotosDone() = draft(DraftIntent.PhotosDone)

    fun draftText(text: String) = draft(DraftIntent.SetText(text = text))

    fun draftAnswer(question: String, value: AnswerValue?) =
        draft(DraftIntent.Answer(question = question, value = value))

    fun draftReview() = draft(DraftIntent.Review)

    fun draftSubmit() = draft(DraftIntent.Submit)

    /** Shows another list of reports in [ViewModel.reports]. */
    fun listReports(query: ReportQuery) = send(Intent.ListReports(query = query))

    /** Staff: shows the work list another way in [ViewModel.work]. */
    fun listWork(query: WorkQuery) = send(Intent.ListWork(query = query))

    /** Shows one report with its timeline in [ViewModel.opened]. */
    fun openReport(reportId: String) = send(Intent.OpenReport(reportId = reportId))

    /** Open reports of [category] near a point, in [ViewModel.nearby]. */
    fun findNearby(category: String, lat: Double, lon: Double) =
        send(Intent.FindNearby(category = category, lat = lat, lon = lon))

    /** "Me too" on someone else's report. */
    fun support(reportId: String) = send(Intent.Support(reportId = reportId))

    /** Writes to the town about my report (or, staff, to its reporter); it shows in the timeline. */
    fun reply(reportId: String, text: String) = send(Intent.Reply(reportId = reportId, text = text))

    /**
     * After a resolution of my report: [fixed] confirms it, `false` reopens it; [satisfaction]
     * from 1 to 5, optional.
     */
    fun confirmResolution(reportId: String, fixed: Boolean, satisfaction: Int? = null) =
        send(Intent.ConfirmResolution(reportId = reportId, fixed = fixed, satisfaction = satisfaction?.toUByte()))

    /** Receives the reports and alerts of [zone] (and of the zones within it). */
    fun followZone(zone: String) = send(Intent.FollowZone(zone = zone))

    /** Stops following [zone], however it came to be followed. */
    fun unfollowZone(zone: String) = send(Intent.UnfollowZone(zone = zone))

    /**
     * Creates or updates my optional account (how to be told, and my language); the answer, with
     * a code to link my other devices, shows up in [ViewModel.account].
     */
    fun setAccount(email: String, phone: String?, contact: ContactChannel, language: String) =
        send(Intent.SetAccount(email = email, phone = phone, contact = contact, language = language))

    /** Links this device to my account, with the code another of my devices shows. */
    fun linkAccount(code: String) = send(Intent.LinkAccount(code = code))

    /** Asks the server for everything it holds about me: the JSON shows up in [ViewModel.account]. */
    fun exportAccount() = send(Intent.ExportAccount)

    /** Deletes my identity on the server (my reports stay, anonymised), then resets this device. */
    fun deleteAccount() = send(Intent.DeleteAccount)

    /** Downloads a photo the server has to [path]; progress shows up in [ViewModel.photoFetch]. */
    fun fetchPhoto(sha256: String, path: String) = send(Intent.FetchPhoto(sha256 = sha256, path = path))

    fun rateService(serviceId: String, satisfaction: Int, importance: Int, comment: String?) =
        send(
            Intent.RateService(
                serviceId = serviceId,
                satisfaction = satisfaction.toUByte(),
                importance = importance.toUByte(),
                comment = comment,
            ),
        )

    /** Staff: acts on a report of the work list ([photos]: taken on site, with a resolution). */
    fun staffAction(
        reportId: String,
        action: StaffActionInput,
        reply: String? = null,
        note: String? = null,
        photos: List<String> = emptyList(),
    ) = send(Intent.StaffAction(reportId = reportId, action = action, reply = reply, note = note, photos = photos))

    /** Applies again a change the server refused as a conflict. */
    fun reapply(mutationId: String) = send(Intent.Reapply(mutationId = mutationId))

    /**
     * Blocks until the core has no work in flight, at most [timeoutMs]; `false` on timeout.
     * For tests and background jobs only, never on the main thread (renders queue up behind it).
     */
    fun waitIdle(timeoutMs: Long): Boolean = requireCore().waitIdle(timeoutMs.toULong())

    /**
     * Adds [listener]; it is called at once with the current view model if there is one, then
     * on every update, on the main thread. Call it on the main thread.
     */
    fun addListener(listener: ViewModelListener) {
        listeners.add(listener)
        view?.let(listener::onViewModel)
    }

    /** Removes [listener]. Call it on the main thread. */
    fun removeListener(listener: ViewModelListener) {
        listeners.remove(listener)
    }

    /**
     * Releases the core: pending work is dropped, what was saved stays saved. Listeners get no
     * further updates. Idempotent.
     */
    override fun close() {
        val released = synchronized(this) {
            closed = true
            core.also { core = null }
        }
        listeners.clear()
        released?.close()
    }

    private fun send(intent: Intent) = requireCore().send(intent)

    private fun requireCore(): RelaisCore {
        check(!closed) { "RelaisShell is closed" }
        return checkNotNull(core) { "RelaisShell is not started" }
    }

    /** Any thread: queue one refresh on the main thread unless one is already queued. */
    private fun scheduleRefresh() {
        if (closed || !refreshQueued.compareAndSet(false, true)) return
        mainThread.execute(::refresh)
    }

    /** Main thread: read the latest view model and hand it to the listeners. */
    private fun refresh() {
        // Cleared before reading: a render arriving after this point queues a new refresh,
        // so the last change is never missed.
        refreshQueued.set(false)
        val latest = synchronized(this) { core?.view() } ?: return
        if (latest == view) return
        view = latest
        for (listener in listeners) listener.onViewModel(latest)
    }
}
