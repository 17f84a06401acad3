package org.relais.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.relais.core.ReportDetailView
import org.relais.core.TimelineEntry
import org.relais.core.TimelineKind
import org.relais.shell.RelaisShell

/**
 * One of my reports in detail: its timeline (statuses, the town's messages, my replies, what is
 * still waiting to be sent), a message to the town, and once resolved, "fixed" or "not fixed"
 * (which reopens it). Whether the answer is possible now is the core's `canConfirm`.
 */
@Composable
fun ReportDetail(shell: RelaisShell, detail: ReportDetailView, words: Words) {
    val report = detail.report
    ReportCard(report, words)
    for (entry in detail.timeline) TimelineRow(entry, words)
    if (detail.canConfirm) {
        var satisfaction by remember(report.id) { mutableStateOf(0) }
        Card(Modifier.fillMaxWidth().testTag("confirm-box")) {
            Column(Modifier.padding(10.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
                Text(words.isItFixed, style = MaterialTheme.typography.titleSmall)
                Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(words.satisfaction, Modifier.padding(end = 4.dp))
                    for (n in 1..5) {
                        FilterChip(selected = n <= satisfaction, onClick = { satisfaction = n }, label = { Text("$n") },
                            modifier = Modifier.testTag("confirm-sat-$n"))
                    }
                }
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    val rated = satisfaction.takeIf { it > 0 }
                    Button(onClick = { shell.confirmResolution(report.id, fixed = true, satisfaction = rated) },
                        modifier = Modifier.testTag("confirm-fixed")) { Text(words.fixed) }
                    OutlinedButton(onClick = { shell.confirmResolution(report.id, fixed = false, satisfaction = rated) },
                        modifier = Modifier.testTag("confirm-reopen")) { Text(words.notFixed) }
                }
            }
        }
    }
    var reply by remember(report.id) { mutableStateOf("") }
    OutlinedTextField(reply, { reply = it }, label = { Text(words.writeToTown) },
        modifier = Modifier.fillMaxWidth().testTag("reply-text"))
    Button(enabled = reply.isNotBlank(), onClick = { shell.reply(report.id, reply); reply = "" },
        modifier = Modifier.testTag("reply-send")) { Text(words.sendReply) }
}

/** One step of the timeline; messages stand out from statuses, queued ones say so. */
@Composable
private fun TimelineRow(entry: TimelineEntry, words: Words) {
    val message = entry.kind == TimelineKind.MESSAGE || entry.kind == TimelineKind.REPLY
    val body = @Composable {
        Column(Modifier.padding(if (message) 8.dp else 0.dp)) {
            val queued = if (entry.queued) " — ${words.waitingToSend}" else ""
            Text("${words.dateTime(entry.atMs)} · ${entry.label}$queued", style = MaterialTheme.typography.labelLarge)
            entry.text?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
        }
    }
    val tag = Modifier.fillMaxWidth().testTag("timeline-${entry.kind.name.lowercase()}")
    when (entry.kind) {
        TimelineKind.MESSAGE -> Card(tag, colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.secondaryContainer)) { body() }
        TimelineKind.REPLY -> Card(tag.padding(start = 32.dp)) { body() }
        else -> Column(tag) { body() }
    }
}
