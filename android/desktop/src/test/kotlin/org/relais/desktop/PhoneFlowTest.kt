package org.relais.desktop

import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsNodeInteractionsProvider
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.ComposeContentTestRule
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performClick
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
import org.relais.core.ReportView
import org.relais.core.SyncSchedule
import org.relais.screens.Fix
import org.relais.screens.Platform
import org.relais.screens.RelaisApp
import org.relais.screens.rememberNotification
import org.relais.screens.rememberViewModel
import org.relais.shell.RelaisShell

/**
 * The phone app's screens driven like a user would, on the real core and a real relais-server:
 * a citizen registers, files a report with a photo while the server is down and sees it waiting;
 * the server comes back and the app sends it by itself; an agent resolves it from the work list;
 * the citizen's app shows the notification and the new status. Each screen is saved as a PNG in
 * `-Drelais.artefacts.dir`.
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
        rule.setContent {
            key(active) {
                val view by rememberViewModel(active)
                val notification by rememberNotification(active)
                RelaisApp(active, view, platform, notification)
            }
        }

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
        rule.tag("use-gps").performClick()
        rule.waitForTag("add-photo")
        rule.tag("add-photo").performClick()
        rule.waitFor(citizen) { it.draft?.photos?.size == 1 }
        shot("03-report-photo")
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
        assertEquals("queued", mine(citizen, id).status)
        rule.tag("photos-$id").assertExistsWithText("0 sur 1 photos envoyées")
        shot("05-waiting")

        // The server comes back: the app sends the report and its photo by itself.
        server.start()
        rule.waitFor(citizen, SYNC_TIMEOUT_MS) { view ->
            view.reports.any { it.id == id && it.status == "received" && it.photosSent == 1u }
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
        rule.waitFor(citizen, SYNC_TIMEOUT_MS) { view -> view.reports.any { it.id == id && it.status == "resolved" } }
        rule.waitForTag("notification")
        rule.tag("tab-mine").performClick()
        rule.waitForText(mine(citizen, id).statusLabel)
        shot("09-citizen-resolved")
        rule.tag("report-$id").performClick()
        rule.waitFor(citizen) { it.opened?.report?.id == id }
        rule.waitForTag("timeline-entry")
        shot("10-timeline")

        // Nearby ("me too" is for others' reports: mine shows without the button) and services.
        rule.tag("tab-nearby").performClick()
        rule.tag("look-around").performClick()
        rule.waitFor(citizen) { it.nearby?.looking == false }
        shot("11-nearby")
        rule.tag("tab-services").performClick()
        val service = rule.waitFor(citizen) { it.services.isNotEmpty() }.services.first()
        rule.tag("sat-${service.id}-4").performClick()
        rule.tag("imp-${service.id}-5").performClick()
        rule.tag("rate-${service.id}").performClick()
        rule.waitFor(citizen) { view -> view.services.first { it.id == service.id }.myRating?.satisfaction == 4.toUByte() }
        shot("12-services")
    }

    private fun shell(name: String, language: String): RelaisShell {
        val shell = RelaisShell(mainThread).also(shells::add)
        shell.start(tmp.newFolder(name).path, language, SCHEDULE)
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
        waitUntil(timeoutMs) { shell.view?.let(condition) == true }
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
        ImageIO.write(rule.onRoot().captureToImage().toAwtImage(), "png", File(dir, "$name.png"))
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
        const val LAT = 48.8566
        const val LON = 2.3522
        const val UI_TIMEOUT_MS = 20_000L
        const val SYNC_TIMEOUT_MS = 60_000L
        /** Quick retries and a short period, so that the test sees the core act by itself. */
        val SCHEDULE = SyncSchedule(firstRetryMs = 500u, maxRetryMs = 2_000u, periodMs = 3_000u)
    }
}
