package org.relais.desktop

import androidx.compose.runtime.getValue
import androidx.compose.ui.window.Window
import androidx.compose.ui.window.application
import java.awt.FileDialog
import java.awt.Frame
import java.io.File
import java.util.Locale
import javax.swing.SwingUtilities
import org.relais.screens.Fix
import org.relais.screens.Platform
import org.relais.screens.RelaisApp
import org.relais.screens.rememberNotification
import org.relais.screens.rememberViewModel
import org.relais.shell.RelaisShell

/**
 * The phone screens in a desktop window, on the real core: for trying the app without a phone.
 * Data in `~/.relais-desktop` (or `-Drelais.data=DIR`); the position is fixed (`-Drelais.lat`,
 * `-Drelais.lon`, default: the Hôtel de Ville in Paris); photos are chosen with a file dialog.
 */
fun main() {
    val data = System.getProperty("relais.data") ?: File(System.getProperty("user.home"), ".relais-desktop").path
    File(data).mkdirs()
    val shell = RelaisShell { SwingUtilities.invokeLater(it) }
    shell.start(data, Locale.getDefault().toLanguageTag())
    val platform = DesktopPlatform(
        Fix(System.getProperty("relais.lat", "48.8566").toDouble(), System.getProperty("relais.lon", "2.3522").toDouble(), 10.0),
    )
    application {
        Window(onCloseRequest = { shell.close(); exitApplication() }, title = "Relais") {
            val view by rememberViewModel(shell)
            val notification by rememberNotification(shell)
            RelaisApp(shell, view, platform, notification)
        }
    }
}

/** A desktop's stand-ins for the phone's sensors: a fixed position and a file dialog. */
class DesktopPlatform(private val position: Fix) : Platform {
    override val name = "desktop"

    override fun locate(onFix: (Fix?) -> Unit) = onFix(position)

    override fun pickPhoto(onPhoto: (String?) -> Unit) {
        val dialog = FileDialog(null as Frame?, "Photo", FileDialog.LOAD)
        dialog.isVisible = true
        onPhoto(dialog.file?.let { File(dialog.directory, it).path })
    }

    override fun pickPlace(onPlace: (Fix?) -> Unit) = onPlace(position.copy(accuracyM = null))
}
