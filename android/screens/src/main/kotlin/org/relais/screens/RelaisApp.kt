package org.relais.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.relais.core.Notification
import org.relais.core.SyncView
import org.relais.core.ViewModel
import org.relais.shell.RelaisShell

/**
 * The app's sections: tabs ([WORK] only on a staff member's device), and [ACCOUNT], opened from
 * the top bar on a citizen's device.
 */
enum class Tab { REPORT, MINE, NEARBY, ALERTS, SERVICES, WORK, ACCOUNT }

/**
 * The whole app: the core's [view] rendered, the user's gestures sent to [shell] as intents.
 * Common to Android and the desktop build: no platform API here, only [platform].
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun RelaisApp(shell: RelaisShell, view: ViewModel?, platform: Platform, notification: Notification? = null) {
    MaterialTheme {
        Surface(Modifier.fillMaxSize()) {
            val words = Words(view?.language ?: "fr")
            when {
                view == null || !view.ready -> Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) {
                    Text(view?.notice ?: words.starting)
                }
                view.registration == null -> FirstLaunch(shell, view, platform, words)
                else -> {
                    val staff = view.registration!!.isStaff
                    var tab by remember { mutableStateOf(if (staff) Tab.WORK else Tab.REPORT) }
                    val tabs = if (staff) listOf(Tab.WORK, Tab.MINE) else Tab.entries.filter { it != Tab.WORK && it != Tab.ACCOUNT }
                    Scaffold(
                        topBar = {
                            TopAppBar(title = {
                                Column {
                                    Text(view.registration!!.town ?: view.registration!!.tenant)
                                    SyncLine(view)
                                }
                            }, actions = {
                                if (!staff) {
                                    TextButton(onClick = { tab = Tab.ACCOUNT }, modifier = Modifier.testTag("tab-account")) { Text(words.account) }
                                }
                            })
                        },
                        bottomBar = {
                            NavigationBar {
                                for (t in tabs) {
                                    NavigationBarItem(
                                        selected = tab == t,
                                        onClick = { tab = t },
                                        icon = {},
                                        label = { Text(label(t, words)) },
                                        modifier = Modifier.testTag("tab-${t.name.lowercase()}"),
                                    )
                                }
                            }
                        },
                    ) { padding ->
                        Column(Modifier.padding(padding).padding(12.dp).fillMaxSize(), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                            notification?.let { NotificationBanner(it) }
                            when (tab) {
                                Tab.REPORT -> ReportScreen(shell, view, platform, words)
                                Tab.MINE -> MyReportsScreen(shell, view, words)
                                Tab.NEARBY -> NearbyScreen(shell, view, platform, words)
                                Tab.ALERTS -> AlertsScreen(shell, view, words)
                                Tab.SERVICES -> ServicesScreen(shell, view, words)
                                Tab.WORK -> WorkScreen(shell, view, platform, words)
                                Tab.ACCOUNT -> AccountScreen(shell, view, words)
                            }
                        }
                    }
                }
            }
        }
    }
}

private fun label(tab: Tab, words: Words) = when (tab) {
    Tab.REPORT -> words.tabReport
    Tab.MINE -> words.tabMine
    Tab.NEARBY -> words.tabNearby
    Tab.ALERTS -> words.tabAlerts
    Tab.SERVICES -> words.tabServices
    Tab.WORK -> words.tabWork
    Tab.ACCOUNT -> words.account
}

/** Where syncing stands, calmly: being offline is a normal state, not an error. */
@Composable
private fun SyncLine(view: ViewModel) {
    val line = when (val sync = view.sync) {
        is SyncView.Running -> "…"
        is SyncView.Finished -> sync.message
        is SyncView.Unreachable -> sync.message
        is SyncView.Failed -> sync.message
        else -> null
    }
    val next = view.nextSync?.message
    val text = listOfNotNull(line, next).joinToString(" ")
    if (text.isNotEmpty()) {
        Text(text, style = MaterialTheme.typography.bodySmall, modifier = Modifier.testTag("sync-line"))
    }
}

@Composable
private fun NotificationBanner(notification: Notification) {
    Surface(tonalElevation = 4.dp, modifier = Modifier.fillMaxWidth().testTag("notification")) {
        Column(Modifier.padding(8.dp)) {
            Text(notification.title, style = MaterialTheme.typography.titleSmall)
            Text(notification.body, style = MaterialTheme.typography.bodySmall)
        }
    }
}
