package org.relais.desktop

import java.io.File
import java.net.ServerSocket
import java.util.concurrent.TimeUnit

/**
 * A real `relais-server --demo` on 127.0.0.1, started from the workspace's build
 * (`-Drelais.server.bin`), that a test stops and starts again on the same port and data.
 */
class RelaisServerProcess(private val data: File, val port: Int = freePort()) {
    private var process: Process? = null

    val url get() = "http://127.0.0.1:$port"

    fun start() {
        check(process == null) { "already running" }
        val started = ProcessBuilder(bin(), "--demo", "--listen", "127.0.0.1:$port", "--data", data.path)
            .redirectErrorStream(true)
            .start()
        val lines = started.inputStream.bufferedReader()
        while (true) {
            val line = lines.readLine() ?: error("relais-server exited before listening")
            if (line.startsWith("relais-server listening on")) break
        }
        // Keep draining its log so that it never blocks on a full pipe; the pipe closes when the
        // server is stopped, which ends the drain (not an error worth a stack trace).
        Thread {
            try {
                lines.forEachLine {}
            } catch (closed: java.io.IOException) {
            }
        }.apply { isDaemon = true }.start()
        process = started
    }

    fun stop() {
        val running = process ?: return
        running.destroy()
        check(running.waitFor(30, TimeUnit.SECONDS)) { "relais-server did not stop" }
        process = null
    }

    /** Runs an administration command on the server's data; its output, trimmed. */
    fun admin(vararg args: String): String {
        val command = ProcessBuilder(listOf(bin(), "--data", data.path) + args).redirectErrorStream(false).start()
        val out = command.inputStream.bufferedReader().readText()
        check(command.waitFor() == 0) { "relais-server ${args.toList()}: ${command.errorStream.bufferedReader().readText()}" }
        return out.trim()
    }

    private fun bin() = System.getProperty("relais.server.bin") ?: error("-Drelais.server.bin is not set")

    companion object {
        fun freePort() = ServerSocket(0).use { it.localPort }
    }
}
