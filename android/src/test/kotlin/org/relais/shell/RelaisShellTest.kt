package org.relais.shell

import java.nio.file.Path
import java.util.Collections
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertInstanceOf
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.relais.core.AccountView
import org.relais.core.ActionView
import org.relais.core.AnswerValue
import org.relais.core.ContactChannel
import org.relais.core.DraftStep
import org.relais.core.OutboxItemState
import org.relais.core.PhotoFetchView
import org.relais.core.PlacedBy
import org.relais.core.ReportQuery
import org.relais.core.ReportStatus
import org.relais.core.StaffActionInput
import org.relais.core.SyncView
import org.relais.core.ViewModel
import org.relais.core.WorkQuery

/**
 * Drives the real Rust core through the generated UniFFI bindings and the host-built
 * `libshared.so` (found through `-Djna.library.path`, see pom.xml), via [RelaisShell].
 *
 * A single-thread executor plays the Android main thread: every listener call must happen on it,
 * whichever Rust thread rendered. The server-dependent test needs a running `relais-server --demo`
 * whose URL is given as the system property `relais.server.url`; without it, it is skipped.
 */
class RelaisShellTest {

    @TempDir
    lateinit var dataDir: Path

    private lateinit var mainThread: ExecutorService
    private val shells = mutableListOf<RelaisShell>()

    /** Name of the thread each listener call ran on. */
    private val listenerThreads: MutableList<String> = Collections.synchronizedList(mutableListOf())

    @BeforeEach
    fun setUp() {
        mainThread = Executors.newSingleThreadExecutor { Thread(it, MAIN_THREAD) }
    }

    @AfterEach
    fun tearDown() {
        shells.forEach(RelaisShell::close)
        mainThread.shutdownNow()
        assertTrue(listenerThreads.all { it == MAIN_THREAD }, "listeners ran off the main thread: $listenerThreads")
    }

    @Test
    fun `methods need a started shell`() {
        val shell = RelaisShell(mainThread).also(shells::add)
        assertThrows(IllegalStateException::class.java) { shell.sync() }
        assertThrows(IllegalStateException::class.java) { shell.waitIdle(10) }
        shell.close()
        assertThrows(IllegalStateException::class.java) { shell.start(dataDir.toString(), "fr-FR") }
    }

    @Test
    fun `filing offline without registration fails with a message in the user's language`() {
        val shell = open("fr-FR")
        val started = settle(shell)
        assertTrue(started.ready, "core not ready: $started")
        assertEquals("fr", started.language)
        assertNull(started.registration)
        assertEquals(ActionView.Idle, started.action)
        assertTrue(listenerThreads.isNotEmpty(), "the listener never received a view model")

        shell.fileReport(CATEGORY, LAT, LON, null, TEXT)
        val french = assertInstanceOf(ActionView.Failed::class.java, settle(shell).action).message
        assertTrue(french.isNotBlank(), "empty French message")

        shell.setLanguage("en")
        assertEquals("en", settle(shell).language)
        shell.fileReport(CATEGORY, LAT, LON, null, TEXT)
        val afterEnglish = settle(shell)
        val english = assertInstanceOf(ActionView.Failed::class.java, afterEnglish.action).message
        assertTrue(english.isNotBlank(), "empty English message")
        assertNotEquals(french, english, "the message was not translated")
        // Nothing was saved or queued.
        assertTrue(afterEnglish.reports.isEmpty(), "reports: ${afterEnglish.reports}")
        assertTrue(afterEnglish.outbox.isEmpty(), "outbox: ${afterEnglish.outbox}")

        // The language chosen in the app is saved and wins over the device language on restart.
        shell.close()
        val reopened = settle(open("fr-FR"))
        assertTrue(reopened.ready)
        assertEquals("en", reopened.language)
    }

    @Test
    fun `every typed helper reaches the core, which answers in the view`() {
        val shell = open("en-GB")
        settle(shell)

        shell.startDraft()
        assertNotNull(settle(shell).draft, "startDraft opened a draft")
        shell.draftText("A broken bench")
        assertEquals("A broken bench", settle(shell).draft?.text)
        // Placing it and answering wait for a category: the draft stays where it was.
        shell.draftLocation(LAT, LON, 5.0, PlacedBy.GPS)
        shell.draftAnswer("kind", AnswerValue.Text("wood"))
        assertEquals(DraftStep.CATEGORY, settle(shell).draft?.step)
        // Not registered: no catalogue, so a category is refused, and so is a draft without one.
        for (step in listOf<() -> Unit>(
            { shell.draftCategory("bench") },
            { shell.draftReview() },
            { shell.draftSubmit() },
        )) {
            step()
            val view = settle(shell)
            assertNotNull(view.draft?.problem ?: view.draftProblem, "a refusal in $view")
        }
        shell.draftPhotosDone()
        settle(shell)

        // Acts that need a registered device are refused, and say so.
        for (act in listOf<() -> Unit>(
            { shell.support("01936f0e-8c4a-7d1e-9b7a-2f1c0e5d4a3b") },
            { shell.rateService("mairie", 4, 5, null) },
            { shell.staffAction("01936f0e-8c4a-7d1e-9b7a-2f1c0e5d4a3b", StaffActionInput.Resolve) },
            { shell.reapply("01936f0e-8c4a-7d1e-9b7a-2f1c0e5d4a3b") },
            { shell.reply("01936f0e-8c4a-7d1e-9b7a-2f1c0e5d4a3b", "Still there") },
            { shell.confirmResolution("01936f0e-8c4a-7d1e-9b7a-2f1c0e5d4a3b", fixed = false, satisfaction = 2) },
            { shell.followZone("75104") },
            { shell.unfollowZone("75104") },
        )) {
            act()
            assertInstanceOf(ActionView.Failed::class.java, settle(shell).action)
        }
        // So are the account's requests, which need the server.
        for (ask in listOf<() -> Unit>(
            { shell.setAccount("me@example.org", null, ContactChannel.EMAIL, "en") },
            { shell.linkAccount("ABCD-1234") },
            { shell.exportAccount() },
            { shell.deleteAccount() },
        )) {
            ask()
            val failed = assertInstanceOf(AccountView.Failed::class.java, settle(shell).account)
            assertTrue(failed.problem.message.isNotBlank())
        }
        shell.fetchPhoto("00".repeat(32), dataDir.resolve("photo.jpg").toString())
        assertInstanceOf(PhotoFetchView.Failed::class.java, settle(shell).photoFetch)

        shell.listReports(ReportQuery(mineOnly = true, openOnly = false, category = null, zone = null, limit = 10u))
        assertTrue(settle(shell).reports.isEmpty())
        shell.listWork(WorkQuery(near = null, overdueOnly = true, assignedToMe = false, limit = 10u))
        assertTrue(settle(shell).work.isEmpty())
        shell.openReport("01936f0e-8c4a-7d1e-9b7a-2f1c0e5d4a3b")
        assertNull(settle(shell).opened)
        shell.findNearby("bench", LAT, LON)
        assertEquals(false, settle(shell).nearby?.looking)
        // Not registered: the network coming back starts no sync, nor does the core plan one.
        shell.networkBack()
        val after = settle(shell)
        assertInstanceOf(SyncView.Idle::class.java, after.sync)
        assertNull(after.nextSync)
    }

    @Test
    fun `a report filed while registered is queued and survives a restart`() {
        val serverUrl = System.getProperty("relais.server.url")
        assumeTrue(!serverUrl.isNullOrBlank(), "relais.server.url not set: no server to register with")

        val shell = open("fr-FR")
        assertTrue(settle(shell).ready)

        shell.register(serverUrl, TENANT, "android")
        val registered = settle(shell, REGISTER_TIMEOUT_MS)
        assertNull(registered.registrationProblem, "registration failed: ${registered.registrationProblem}")
        val registration = registered.registration
        assertNotNull(registration, "no registration in $registered")
        assertEquals(TENANT, registration!!.tenant)
        assertEquals(serverUrl.trimEnd('/'), registration.serverUrl.trimEnd('/'))
        assertTrue(registered.categories.isNotEmpty(), "no categories after registration")
        assertTrue(registered.categories.any { it.code == CATEGORY }, "no $CATEGORY in ${registered.categories.map { it.code }}")

        // File it; no sync, so it stays on the device.
        shell.fileReport(CATEGORY, LAT, LON, null, TEXT)
        val filed = settle(shell)
        val saved = assertInstanceOf(ActionView.Saved::class.java, filed.action, "action: ${filed.action}")
        assertTrue(saved.message.isNotBlank())
        assertQueued(filed, saved.id)

        // Close and reopen on the same data: everything comes back from the device's store.
        shell.close()
        val reopened = settle(open("fr-FR"))
        assertTrue(reopened.ready)
        assertEquals(TENANT, reopened.registration?.tenant)
        assertQueued(reopened, saved.id)
    }

    private fun assertQueued(view: ViewModel, reportId: String) {
        val report = view.reports.singleOrNull { it.id == reportId }
        assertNotNull(report, "report $reportId not in ${view.reports}")
        report!!
        assertEquals(CATEGORY, report.category)
        assertEquals(TEXT, report.text)
        assertEquals(LAT, report.lat, 1e-9)
        assertEquals(LON, report.lon, 1e-9)
        assertEquals(ReportStatus.QUEUED, report.status)
        assertNull(report.refusal)
        assertTrue(report.mine)
        val item = view.outbox.singleOrNull { it.reportId == reportId }
        assertNotNull(item, "no outbox item for $reportId in ${view.outbox}")
        assertEquals(OutboxItemState.QUEUED, item!!.state)
        assertEquals("En attente d'envoi", item.stateLabel)
        assertEquals("create_report", item.kind)
    }

    /** A started shell on [dataDir] whose listener notes the thread it is called on. */
    private fun open(language: String): RelaisShell {
        val shell = RelaisShell(mainThread).also(shells::add)
        onMain { shell.addListener { listenerThreads.add(Thread.currentThread().name) } }
        shell.start(dataDir.toString(), language, autoSync = null)
        return shell
    }

    /**
     * Waits until the core is idle, then until the main thread has run every refresh queued
     * until then, and returns the view model the listeners last saw.
     */
    private fun settle(shell: RelaisShell, timeoutMs: Long = IDLE_TIMEOUT_MS): ViewModel {
        assertTrue(shell.waitIdle(timeoutMs), "the core was still busy after $timeoutMs ms")
        onMain {}
        val view = shell.view
        assertNotNull(view, "no view model was published")
        assertFalse(view!!.notice != null && !view.ready, "core broken: ${view.notice}")
        return view
    }

    private fun onMain(block: () -> Unit) {
        mainThread.submit(block).get(10, TimeUnit.SECONDS)
    }

    private companion object {
        const val MAIN_THREAD = "test-main"
        const val IDLE_TIMEOUT_MS = 10_000L
        const val REGISTER_TIMEOUT_MS = 30_000L
        const val TENANT = "demo"
        const val CATEGORY = "autres_encombrants_abandonnes"
        const val LAT = 48.8566
        const val LON = 2.3522
        const val TEXT = "Matelas abandonné"
    }
}
