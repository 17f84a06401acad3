package org.relais.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.relais.core.AlertView
import org.relais.core.ViewModel
import org.relais.core.ZoneView
import org.relais.shell.RelaisShell

/**
 * Zone alerts: the town's notices (works, closures, collections) for the areas I follow, current
 * then upcoming; the areas I follow and why (chosen, or where I reported); and a search to follow
 * another one. The core decides which alerts apply and which zones are followed.
 */
@Composable
fun AlertsScreen(shell: RelaisShell, view: ViewModel, words: Words) {
    Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        if (view.alerts.isEmpty()) Text(words.noAlerts, Modifier.testTag("no-alerts"))
        for ((current, alerts) in view.alerts.groupBy { it.current }.toSortedMap(reverseOrder())) {
            Text(if (current) words.alertsNow else words.alertsSoon, style = MaterialTheme.typography.titleSmall)
            for (alert in alerts) AlertCard(alert, view, words)
        }
        Text(words.followedZones, style = MaterialTheme.typography.titleSmall)
        for (zone in view.zones.filter { it.followed && it.via == null }) ZoneRow(shell, zone, words)
        var query by remember { mutableStateOf("") }
        OutlinedTextField(query, { query = it }, label = { Text(words.searchZone) }, singleLine = true,
            modifier = Modifier.fillMaxWidth().testTag("zone-search"))
        val needle = query.trim().lowercase()
        if (needle.isNotEmpty()) {
            for (zone in view.zones.filter { !it.followed && it.name.lowercase().contains(needle) }.take(6)) ZoneRow(shell, zone, words)
        }
    }
}

@Composable
private fun AlertCard(alert: AlertView, view: ViewModel, words: Words) {
    val colors = if (alert.current) CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.tertiaryContainer) else CardDefaults.cardColors()
    Card(Modifier.fillMaxWidth().testTag("alert-${alert.id}"), colors = colors) {
        Column(Modifier.padding(10.dp), verticalArrangement = Arrangement.spacedBy(2.dp)) {
            Text(alert.title, style = MaterialTheme.typography.titleSmall)
            Text(words.period(alert.startsAtMs, alert.endsAtMs), style = MaterialTheme.typography.labelMedium)
            val names = alert.zones.map { code -> view.zones.firstOrNull { it.code == code }?.name ?: code }
            Text(names.joinToString(", "), style = MaterialTheme.typography.bodySmall)
            Text(alert.text)
        }
    }
}

/** An area, why it is followed, and the button to follow it or stop (not for one followed through its parent). */
@Composable
private fun ZoneRow(shell: RelaisShell, zone: ZoneView, words: Words) {
    Row(Modifier.fillMaxWidth().testTag("zone-${zone.code}"), verticalAlignment = Alignment.CenterVertically,
        horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        Column(Modifier.weight(1f)) {
            Text(zone.name)
            zone.why?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
        }
        when {
            !zone.followed -> OutlinedButton(onClick = { shell.followZone(zone.code) }, modifier = Modifier.testTag("follow-${zone.code}")) {
                Text(words.follow)
            }
            zone.via == null -> OutlinedButton(onClick = { shell.unfollowZone(zone.code) }, modifier = Modifier.testTag("unfollow-${zone.code}")) {
                Text(words.unfollow)
            }
        }
    }
}
