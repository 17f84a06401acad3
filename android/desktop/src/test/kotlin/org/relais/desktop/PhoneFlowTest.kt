package org.relais.desktop

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.size
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.test.ComposeTimeoutException
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsNodeInteractionsProvider
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.ComposeContentTestRule
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import java.awt.Color
import java.awt.image.BufferedImage
import java.io.File
import java.util.concurrent.Executors
import javax.imageio.ImageIO
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.relais.core.AccountView
import org.relais.core.ContactChannel
import org.relais.core.LocationSource
import org.relais.core.OutboxItemState
import org.relais.core.ReportStatus
import org.relais.core.ReportView
import org.relais.core.SyncView
import org.relais.core.TimelineKind
import org.relais.core.SyncSchedule
import org.relais.screens.Fix
import org.relais.screens.Platform
import org.relais.screens.RelaisApp
import org.relais.screens.rememberNotification
import org.relais.screens.rememberViewModel
import org.relais.shell.RelaisShell

/**
 * The phone app's screens driven like a user would, on the real core and real relais-server
 * processes. A citizen registers, files a report with a photo while the server is down and sees
 * it waiting; the server comes back and the app sends it by itself; an agent resolves it from the
 * work list; the citizen's app shows the notification and the new status, the citizen writes to
 * the town and reopens it; a neighbour says "me too", follows the area and gets its alert, then
 * makes an account, exports their data and deletes it. In the other test, two agents act offline
 * on one report: the later one sees the conflict, applies the transfer again and it goes through.
 * Each screen is saved as a PNG of a phone-sized frame in `-Drelais.artefacts.dir`.
 */
@OptIn(ExperimentalTestApi::class)
class PhoneFlowTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    private val mainThread = Executors.newSingleThreadExecutor { Runnable -> Thread(Runnable, "shell-main") }
    private val shells = mutableListOf<RelaisShell>()
    private lateinit var server: RelaisServerProcess

    @After
    fun tearDown() {
        shells.forEach(RelaisShell::close)
        mainThread.shutdownNow()
        if (::server.isInitialized) server.stop()
    }

    @Test
    fun `a report filed offline is sent by itself, resolved by an agent, and the citizen is told`() {
        server = RelaisServerProcess(tmp.newFolder("server"))
        server.start()
        val agentCode = server.admin("enrol-agent", "--tenant", "demo", "--service", "proprete", "--email", "agent@paris.example")
        val photo = jpeg(tmp.newFile("matelas.jpg"))
        val platform = FixedPlatform(Fix(LAT, LON, 8.0), photo)

        val citizen = shell("citizen", "fr-FR")
        val agent = shell("agent", "en-GB")
        var active by mutableStateOf(citizen)
        rule.setContent { Phone(active, platform) }

        // First launch: the town's server and code.
        rule.waitForTag("server")
        rule.tag("server").performTextInput(server.url)
        rule.tag("town").performTextInput("demo")
        shot("01-first-launch")
        rule.tag("begin").performClick()
        rule.waitFor(citizen) { it.registration != null && it.categories.isNotEmpty() }

        // The server goes away; the citizen files a report with a photo.
        server.stop()
        rule.tag("new-report").performClick()
        rule.waitForTag("category-search")
        rule.tag("category-search").performTextInput("encombrants")
        rule.waitForTag("category-$CATEGORY")
        shot("02-report-category")
        rule.tag("category-$CATEGORY").performClick()
        rule.waitForTag("use-gps")
        rule.waitForTag("pin-map")
        shot("02b-report-map")
        rule.tag("use-gps").performClick()
        rule.waitForTag("add-photo")
        rule.tag("add-photo").performClick()
        rule.waitFor(citizen) { it.draft?.photos?.size == 1 }
        shot("03-report-photo")
        // A tap on the map moves the pin there: in its centre, the fix's own place (to a pixel,
        // about 2 m), now a pin without an accuracy.
        rule.tag("pin-map").performClick()
        val pinned = rule.waitFor(citizen) { it.draft?.locationSource == LocationSource.PIN }.draft!!
        assertEquals(LAT, pinned.lat!!, 1e-4)
        assertEquals(LON, pinned.lon!!, 1e-4)
        assertEquals(null, pinned.accuracyM)
        rule.tag("photos-done").performClick()
        rule.waitForTag("text")
        rule.tag("text").performTextInput("Matelas abandonné devant le 12")
        shot("04-report-details")
        rule.tag("send").performClick()
        val filed = rule.waitFor(citizen) { view -> view.reports.any { it.mine } && view.nextSync != null }
        val id = filed.reports.single { it.mine }.id

        // Waiting calmly: queued, its photo not sent, the next automatic try announced.
        rule.tag("tab-mine").performClick()
        rule.waitForTag("status-$id")
        assertEquals(ReportStatus.QUEUED, mine(citizen, id).status)
        rule.tag("photos-$id").assertExistsWithText("0 sur 1 photos envoyées")
        shot("05-waiting")

        // The server comes back: the app sends the report and its photo by itself.
        server.start()
        rule.waitFor(citizen, SYNC_TIMEOUT_MS) { view ->
            view.reports.any { it.id == id && it.status == ReportStatus.RECEIVED && it.photosSent == 1u }
        }
        rule.waitForText(mine(citizen, id).statusLabel)
        shot("06-sent")

        // The agent registers with the town's code and resolves it from the work list, with a photo.
        active = agent
        rule.waitForTag("server")
        rule.tag("server").performTextInput(server.url)
        rule.tag("town").performTextInput("demo")
        rule.tag("enrolment").performTextInput(agentCode)
        rule.tag("begin").performClick()
        rule.waitFor(agent, SYNC_TIMEOUT_MS) { view -> view.work.any { it.report.id == id } }
        rule.waitForTag("resolve-$id")
        shot("07-agent-work")
        rule.tag("resolve-$id").performClick()
        rule.waitFor(agent, SYNC_TIMEOUT_MS) { view -> view.outbox.isEmpty() && view.work.none { it.report.id == id && it.report.pendingChanges > 0u } }
        shot("08-agent-resolved")

        // The citizen's app hears of it by itself: a notification and the new status.
        active = citizen
        rule.waitFor(citizen, SYNC_TIMEOUT_MS) { view -> view.reports.any { it.id == id && it.status == ReportStatus.RESOLVED } }
        rule.waitForTag("notification")
        rule.tag("tab-mine").performClick()
        rule.waitForText(mine(citizen, id).statusLabel)
        shot("09-citizen-resolved")
        rule.tag("report-$id").performClick()
        rule.waitFor(citizen) { it.opened?.report?.id == id }
        rule.waitForTag("timeline-status")
        rule.waitForTag("confirm-box")
        shot("10-timeline")

        // The citizen writes to the town: the message waits, then leaves by itself.
        rule.tag("reply-text").performTextInput("Merci, mais le sommier est toujours là.")
        rule.tag("reply-send").performClick()
        rule.waitFor(citizen, SYNC_TIMEOUT_MS) { view ->
            view.opened?.timeline?.any { it.kind == TimelineKind.REPLY && !it.queued } == true
        }
        rule.waitForTag("timeline-reply")
        // Not fixed: the citizen reopens it, with a satisfaction of 2.
        rule.tag("confirm-sat-2").performClick()
        rule.tag("confirm-reopen").performClick()
        rule.waitFor(citizen, SYNC_TIMEOUT_MS) { view ->
            view.outbox.isEmpty() && view.opened?.report?.status == ReportStatus.REOPENED
        }
        rule.waitForText(mine(citizen, id).statusLabel)
        shot("11-reply-and-reopened")
        rule.tag("back").performClick()

        // Services: the citizen rates one.
        rule.tag("tab-services").performClick()
        val service = rule.waitFor(citizen) { it.services.isNotEmpty() }.services.first()
        rule.tag("sat-${service.id}-4").performClick()
        rule.tag("imp-${service.id}-5").performClick()
        rule.tag("rate-${service.id}").performClick()
        rule.waitFor(citizen) { view -> view.services.first { it.id == service.id }.myRating?.satisfaction == 4.toUByte() }
        shot("12-services")

        // A neighbour sees the reopened report nearby and says "me too" instead of filing it again.
        server.admin(
            "alert", "--tenant", "demo", "--zone", ZONE,
            "--title-fr", "Collecte des encombrants", "--title-en", "Bulky waste collection",
            "--text-fr", "Passage des camions jeudi matin dans le 4e.", "--text-en", "Trucks come round on Thursday morning.",
            "--until", "2099-12-31",
        )
        val neighbour = shell("neighbour", "fr-FR")
        active = neighbour
        register(neighbour)
        rule.tag("tab-nearby").performClick()
        rule.tag("category-search").performTextInput("encombrants")
        rule.waitForTag("category-$CATEGORY")
        rule.tag("category-$CATEGORY").performClick()
        rule.tag("look-around").performClick()
        rule.waitFor(neighbour) { view -> view.nearby?.reports?.any { it.report.id == id } == true }
        rule.waitForTag("me-too-$id")
        shot("13-nearby")
        rule.tag("me-too-$id").performClick()
        rule.waitFor(neighbour, SYNC_TIMEOUT_MS) { view ->
            view.outbox.isEmpty() && view.nearby?.reports?.any { it.report.id == id && it.report.supported } == true
        }
        rule.waitForTag("supported-$id")
        assertTrue(rule.onAllNodes(hasTestTag("me-too-$id"), useUnmergedTree = true).fetchSemanticsNodes().isEmpty())
        shot("14-me-too")
        // The town's reporter hears of the support: the report counts one supporter on the server.
        rule.waitFor(citizen, SYNC_TIMEOUT_MS) { view -> view.reports.any { it.id == id && it.supporters == 1u } }

        // Zone alerts: the neighbour follows the 4th arrondissement and gets its alert.
        rule.tag("tab-alerts").performClick()
        rule.waitForTag("no-alerts")
        val zone = checkNotNull(neighbour.view).zones.single { it.code == ZONE }
        rule.tag("zone-search").performTextInput(zone.name)
        rule.waitForTag("follow-$ZONE")
        rule.tag("follow-$ZONE").performClick()
        rule.waitFor(neighbour, SYNC_TIMEOUT_MS) { view -> view.alerts.isNotEmpty() && view.outbox.isEmpty() }
        rule.waitForText("Collecte des encombrants")
        rule.tag("unfollow-$ZONE").assertExists()
        shot("15-alerts")

        // My account and data rights: an account, the export, then deletion.
        rule.tag("tab-account").performClick()
        rule.tag("account-email").performTextInput("voisin@example.org")
        rule.tag("contact-email").performScrollTo().performClick()
        rule.tag("account-save").performScrollTo().performClick()
        val ready = rule.waitFor(neighbour, SYNC_TIMEOUT_MS) { it.account is AccountView.Ready }.account as AccountView.Ready
        assertEquals(ContactChannel.EMAIL, ready.contact)
        rule.waitForTag("link-code")
        shot("16-account")
        rule.tag("export").performScrollTo().performClick()
        val export = rule.waitFor(neighbour, SYNC_TIMEOUT_MS) { it.account is AccountView.Exported }.account as AccountView.Exported
        assertTrue("the export holds my e-mail: ${export.json.take(400)}", export.json.contains("voisin@example.org"))
        rule.waitForTag("export-json")
        rule.tag("export-json").performScrollTo()
        shot("17-export")
        rule.tag("delete").performScrollTo().performClick()
        rule.waitForTag("delete-warning")
        shot("18-delete-confirm")
        rule.tag("delete-confirm").performScrollTo().performClick()
        rule.waitFor(neighbour, SYNC_TIMEOUT_MS) { view -> view.account is AccountView.Deleted && view.registration == null }
        rule.waitForTag("account-deleted")
        shot("19-deleted")
    }

    @Test
    fun `two agents act offline on one report, the later one sees the conflict, applies it again and the report is transferred`() {
        server = RelaisServerProcess(tmp.newFolder("server"))
        server.start()
        val codes = listOf("agent.a@paris.example", "agent.b@paris.example").map { email ->
            server.admin("enrol-agent", "--tenant", "demo", "--service", "proprete", "--email", email)
        }
        val platform = FixedPlatform(Fix(LAT, LON, 8.0), jpeg(tmp.newFile("photo.jpg")))

        // A citizen's report reaches the server (through the helpers: the filing screens are
        // covered by the other test).
        val citizen = shell("citizen", "fr-FR")
        var active by mutableStateOf(citizen)
        rule.setContent { Phone(active, platform) }
        registerWithHelper(citizen)
        citizen.fileReport(CATEGORY, LAT, LON, 8.0, "Sacs de gravats sur le trottoir")
        val id = rule.waitFor(citizen, SYNC_TIMEOUT_MS) { view -> view.reports.any { it.mine && it.status == ReportStatus.RECEIVED } }
            .reports.single { it.mine }.id

        // Two agents of the same service, syncing only when they tap "sync" (to order them).
        val (first, second) = codes.mapIndexed { n, code ->
            shell("agent-$n", "fr-FR", autoSync = null).also { agent ->
                registerWithHelper(agent, code)
                // The first sync may still run: the agent's own sync comes after it.
                assertTrue("the first sync ended", agent.waitIdle(SYNC_TIMEOUT_MS))
                agent.sync()
                rule.waitFor(agent, SYNC_TIMEOUT_MS) { view -> view.work.any { it.report.id == id } }
            }
        }
        active = first

        // Offline, the first starts on it, the second transfers it to another service.
        server.stop()
        rule.waitForTag("start-$id")
        rule.tag("start-$id").performClick()
        rule.waitFor(first) { view -> view.work.any { it.report.id == id && it.report.pendingChanges == 1u } }
        active = second
        rule.waitForTag("transfer-$id")
        rule.tag("transfer-$id").performClick()
        val department = checkNotNull(second.view).departments.first { it.code != "proprete" }
        rule.waitForTag("transfer-$id-${department.code}")
        shot("20-agent-transfer-choice")
        rule.tag("transfer-$id-${department.code}").performClick()
        rule.waitFor(second) { view -> view.work.any { it.report.id == id && it.report.status == ReportStatus.TRANSFERRED } }
        shot("21-agent-transfer-offline")

        // Back online: the first agent's change arrives first; the second's meets it.
        server.start()
        active = first
        rule.waitForTag("sync-now")
        rule.tag("sync-now").performClick()
        rule.waitFor(first, SYNC_TIMEOUT_MS) { view -> view.outbox.isEmpty() && view.sync is SyncView.Finished }
        active = second
        rule.waitForTag("sync-now")
        rule.tag("sync-now").performClick()
        val refused = rule.waitFor(second, SYNC_TIMEOUT_MS) { view -> view.outbox.any { it.conflict != null } }
            .outbox.single { it.conflict != null }
        val conflict = checkNotNull(refused.conflict)
        assertEquals(OutboxItemState.REJECTED, refused.state)
        assertEquals(ReportStatus.IN_PROGRESS, conflict.currentStatus)
        assertTrue("the transfer can be applied again on the started report", conflict.canReapply)
        rule.waitForTag("conflict-now-${refused.id}")
        shot("22-agent-conflict")

        // Applied again on the report as it is now, it goes through.
        rule.tag("reapply-${refused.id}").performClick()
        rule.waitFor(second) { view -> view.outbox.none { it.conflict != null } && view.outbox.isNotEmpty() }
        rule.tag("sync-now").performClick()
        rule.waitFor(second, SYNC_TIMEOUT_MS) { view -> view.outbox.isEmpty() && view.sync is SyncView.Finished }
        shot("23-agent-reapplied")
        // The citizen's app shows the report transferred to that service.
        rule.waitFor(citizen, SYNC_TIMEOUT_MS) { view ->
            view.reports.any { it.id == id && it.status == ReportStatus.TRANSFERRED && it.serviceCode == department.code }
        }
    }

    /** The app in a phone-sized frame (the screenshots' size), on [shell]'s view. */
    @Composable
    private fun Phone(shell: RelaisShell, platform: Platform) {
        key(shell) {
            val view by rememberViewModel(shell)
            val notification by rememberNotification(shell)
            Box(Modifier.size(PHONE_WIDTH, PHONE_HEIGHT).testTag(PHONE)) {
                RelaisApp(shell, view, platform, notification)
            }
        }
    }

    /** Registration through the shell's helper, once the core has read its store (as the app waits). */
    private fun registerWithHelper(shell: RelaisShell, enrolmentCode: String? = null) {
        rule.waitFor(shell) { it.ready }
        shell.register(server.url, "demo", "desktop", enrolmentCode)
        rule.waitFor(shell, SYNC_TIMEOUT_MS) { it.registration != null && it.categories.isNotEmpty() }
    }

    /** First launch on [shell]'s screen: the town's server and code, then the catalogue. */
    private fun register(shell: RelaisShell) {
        rule.waitForTag("server")
        rule.tag("server").performTextInput(server.url)
        rule.tag("town").performTextInput("demo")
        rule.tag("begin").performClick()
        rule.waitFor(shell, SYNC_TIMEOUT_MS) { it.registration != null && it.categories.isNotEmpty() }
    }

    private fun shell(name: String, language: String, autoSync: SyncSchedule? = SCHEDULE): RelaisShell {
        val shell = RelaisShell(mainThread).also(shells::add)
        shell.start(tmp.newFolder(name).path, language, autoSync)
        return shell
    }

    private fun mine(shell: RelaisShell, id: String): ReportView =
        checkNotNull(shell.view).reports.single { it.id == id }

    /** Waits (not a timed assertion: a generous bound on a real server) until [shell]'s view fits. */
    private fun ComposeContentTestRule.waitFor(
        shell: RelaisShell,
        timeoutMs: Long = UI_TIMEOUT_MS,
        condition: (org.relais.core.ViewModel) -> Boolean,
    ): org.relais.core.ViewModel {
        try {
            waitUntil(timeoutMs) { shell.view?.let(condition) == true }
        } catch (e: ComposeTimeoutException) {
            val view = shell.view
            throw AssertionError(
                "the view never fitted: registration ${view?.registration}, problem ${view?.registrationProblem}, " +
                    "sync ${view?.sync}, notice ${view?.notice}, account ${view?.account}, outbox ${view?.outbox}, " +
                    "work ${view?.work?.map { it.report.id to it.report.status }}",
                e,
            )
        }
        waitForIdle()
        return checkNotNull(shell.view)
    }

    // The unmerged tree: a clickable card merges its texts, whose tags the test still looks for.
    private fun ComposeContentTestRule.tag(tag: String) = onNodeWithTag(tag, useUnmergedTree = true)

    private fun ComposeContentTestRule.waitForTag(tag: String) =
        waitUntil(UI_TIMEOUT_MS) { onAllNodes(hasTestTag(tag), useUnmergedTree = true).fetchSemanticsNodes().isNotEmpty() }

    private fun ComposeContentTestRule.waitForText(text: String) =
        waitUntil(UI_TIMEOUT_MS) { onAllNodes(hasText(text), useUnmergedTree = true).fetchSemanticsNodes().isNotEmpty() }

    private fun androidx.compose.ui.test.SemanticsNodeInteraction.assertExistsWithText(text: String) {
        assertExists()
        assertTrue("no \"$text\"", rule.onAllNodes(hasText(text), useUnmergedTree = true).fetchSemanticsNodes().isNotEmpty())
    }

    private fun shot(name: String) {
        rule.waitForIdle()
        val dir = File(System.getProperty("relais.artefacts.dir") ?: "target/screenshots").apply { mkdirs() }
        ImageIO.write(rule.onNodeWithTag(PHONE).captureToImage().toAwtImage(), "png", File(dir, "$name.png"))
    }

    /** A real JPEG photo: a mattress-coloured block on grey. */
    private fun jpeg(file: File): String {
        val image = BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB)
        val g = image.createGraphics()
        g.color = Color.GRAY
        g.fillRect(0, 0, 640, 480)
        g.color = Color(0xE8, 0xDC, 0xC0)
        g.fillRect(120, 200, 400, 160)
        g.dispose()
        check(ImageIO.write(image, "jpg", file))
        return file.path
    }

    /** The phone's sensors, answered: a GPS fix, a photo from the gallery, a pin at the fix. */
    private class FixedPlatform(private val fix: Fix, private val photo: String) : Platform {
        override val name = "desktop"
        override fun locate(onFix: (Fix?) -> Unit) = onFix(fix)
        override fun pickPhoto(onPhoto: (String?) -> Unit) = onPhoto(photo)
        override fun pickPlace(onPlace: (Fix?) -> Unit) = onPlace(fix.copy(accuracyM = null))
    }

    private companion object {
        const val CATEGORY = "autres_encombrants_abandonnes"
        /** The 4th arrondissement, where the reports are. */
        const val ZONE = "75104"
        const val PHONE = "phone"
        /** A phone's screen in dp (the test window is 1024 × 768 at density 1). */
        val PHONE_WIDTH = 400.dp
        val PHONE_HEIGHT = 760.dp
        const val LAT = 48.8566
        const val LON = 2.3522
        const val UI_TIMEOUT_MS = 20_000L
        const val SYNC_TIMEOUT_MS = 60_000L
        /** Quick retries and a short period, so that the test sees the core act by itself. */
        val SCHEDULE = SyncSchedule(firstRetryMs = 500u, maxRetryMs = 2_000u, periodMs = 3_000u)
    }
}
