package org.relais.shell

import java.nio.file.Files
import java.nio.file.Path
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.relais.core.DraftIntent
import org.relais.core.Intent
import org.relais.core.Notification
import org.relais.core.RelaisCore
import org.relais.core.Shell

/**
 * The figures of the phone apps' note, measured when asked (`-Drelais.figures=true`; they take a
 * few minutes and assert nothing about time):
 * - intents per second through the FFI from Kotlin, and the same loop in Rust in the same run
 *   (`-Drelais.intent.loop.bin`: the `intent_loop` example of the core);
 * - the cold start of the core with 10,000 reports in its local store (filed through the core on
 *   a device registered with `-Drelais.server.url`), from the constructor to `ready`.
 */
class FiguresTest {
    @TempDir
    lateinit var dir: Path

    private object Silent : Shell {
        override fun render() {}
        override fun notify(notification: Notification) {}
    }

    @Test
    fun `intents per second through the FFI, from Kotlin and from Rust`() {
        assumeTrue(System.getProperty("relais.figures") == "true", "figures not asked for")
        val count = 200_000
        val core = RelaisCore(dir.resolve("kotlin").toString(), "fr", null, Silent)
        check(core.waitIdle(30_000uL))
        val intent = Intent.Draft(change = DraftIntent.Review)
        repeat(10_000) { core.send(intent) } // warm-up (JIT)
        val started = System.nanoTime()
        repeat(count) { core.send(intent) }
        val kotlin = count / ((System.nanoTime() - started) / 1e9)
        core.close()
        println("FIGURE kotlin_intents_per_second %.0f".format(kotlin))

        val bin = System.getProperty("relais.intent.loop.bin") ?: return
        val rust = ProcessBuilder(bin, dir.resolve("rust").toString(), count.toString()).start()
        val out = rust.inputStream.bufferedReader().readText()
        check(rust.waitFor() == 0) { rust.errorStream.bufferedReader().readText() }
        println("FIGURE rust_${out.trim().replace(' ', '_')}")
    }

    @Test
    fun `cold start with 10,000 reports in the local store`() {
        assumeTrue(System.getProperty("relais.figures") == "true", "figures not asked for")
        val serverUrl = System.getProperty("relais.server.url")
        assumeTrue(!serverUrl.isNullOrBlank(), "relais.server.url not set")
        val data = dir.resolve("phone").also { Files.createDirectories(it) }.toString()
        RelaisCore(data, "fr", null, Silent).use { core ->
            check(core.waitIdle(30_000uL)) // the store is read before anything else is asked
            core.send(Intent.Register(serverUrl = serverUrl, tenant = "demo", platform = "android", enrolmentCode = null))
            check(core.waitIdle(60_000uL))
            checkNotNull(core.view().registration) { "not registered: ${core.view().registrationProblem}" }
            repeat(10_000) { i ->
                core.send(
                    Intent.FileReport(
                        category = "autres_encombrants_abandonnes",
                        lat = 48.8566 + (i % 100) * 1e-4,
                        lon = 2.3522 + (i / 100) * 1e-4,
                        accuracyM = 5.0,
                        text = "Signalement $i",
                        answers = emptyList(),
                        photos = emptyList(),
                    ),
                )
                if (i % 500 == 499) check(core.waitIdle(120_000uL))
            }
            check(core.waitIdle(120_000uL))
            println("FIGURE outbox_before_restart ${core.view().outbox.size}")
        }
        val started = System.nanoTime()
        RelaisCore(data, "fr", null, Silent).use { core ->
            check(core.waitIdle(60_000uL))
            val ms = (System.nanoTime() - started) / 1e6
            val view = core.view()
            check(view.ready)
            println("FIGURE cold_start_ms_10000_reports %.0f (reports listed: ${view.reports.size}, queued: ${view.outbox.size})".format(ms))
        }
    }
}
