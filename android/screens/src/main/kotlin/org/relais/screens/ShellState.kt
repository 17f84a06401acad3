package org.relais.screens

import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.State
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import org.relais.core.Notification
import org.relais.core.ViewModel
import org.relais.shell.NotificationListener
import org.relais.shell.RelaisShell
import org.relais.shell.ViewModelListener

/** The shell's latest view model as Compose state: screens recompose when the core renders. */
@Composable
fun rememberViewModel(shell: RelaisShell): State<ViewModel?> {
    val state = remember(shell) { mutableStateOf(shell.view) }
    DisposableEffect(shell) {
        val listener = ViewModelListener { state.value = it }
        shell.addListener(listener)
        onDispose { shell.removeListener(listener) }
    }
    return state
}

/**
 * The core's latest notification as Compose state (shown in the app; on a phone, the platform's
 * notification is posted by the shell too).
 */
@Composable
fun rememberNotification(shell: RelaisShell): State<Notification?> {
    val state = remember(shell) { mutableStateOf<Notification?>(null) }
    DisposableEffect(shell) {
        val listener = NotificationListener { state.value = it }
        shell.addNotificationListener(listener)
        onDispose { shell.removeNotificationListener(listener) }
    }
    return state
}
