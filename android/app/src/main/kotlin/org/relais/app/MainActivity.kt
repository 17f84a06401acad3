package org.relais.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.runtime.getValue
import org.relais.screens.RelaisApp
import org.relais.screens.rememberNotification
import org.relais.screens.rememberViewModel

/** The one activity: the shared screens on the application's shell. */
class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val shell = (application as RelaisApplication).shell
        val platform = AndroidPlatform(this)
        setContent {
            val view by rememberViewModel(shell)
            val notification by rememberNotification(shell)
            RelaisApp(shell, view, platform, notification)
        }
    }
}
