package org.relais.screens

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.relais.core.ActionView
import org.relais.core.OutboxItemView
import org.relais.core.ReportView
import org.relais.core.ServiceView
import org.relais.core.StaffActionInput
import org.relais.core.ViewModel
import org.relais.shell.RelaisShell

/** A report as a card: category, text, its state in words, and the photos still on the way. */
@Composable
fun ReportCard(report: ReportView, words: Words, onClick: (() -> Unit)? = null, extra: @Composable () -> Unit = {}) {
    Card(Modifier.fillMaxWidth().testTag("report-${report.id}").let { if (onClick != null) it.clickable(onClick = onClick) else it }) {
        Column(Modifier.padding(10.dp), verticalArrangement = Arrangement.spacedBy(2.dp)) {
            Text(report.categoryName, style = MaterialTheme.typography.titleSmall)
            Text(report.text)
            Text(report.statusLabel, style = MaterialTheme.typography.labelLarge, modifier = Modifier.testTag("status-${report.id}"))
            report.service?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            if (report.pendingChanges > 0u) {
                Text(words.pendingChanges(report.pendingChanges.toInt()), style = MaterialTheme.typography.bodySmall,
                    modifier = Modifier.testTag("pending-${report.id}"))
            }
            report.refusal?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            val total = report.photos.size
            if (report.mine && total > 0 && report.photosSent.toInt() < total) {
                Text(words.photosSent(report.photosSent.toInt(), total), style = MaterialTheme.typography.bodySmall,
                    modifier = Modifier.testTag("photos-${report.id}"))
            }
            if (report.supporters > 0u) Text(words.supporters(report.supporters.toInt()), style = MaterialTheme.typography.bodySmall)
            extra()
        }
    }
}

/** My reports, newest first; one opens in detail ([ReportDetail]). */
@Composable
fun MyReportsScreen(shell: RelaisShell, view: ViewModel, words: Words) {
    val opened = view.opened
    var showing by remember { mutableStateOf<String?>(null) }
    Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        if (opened != null && showing == opened.report.id) {
            OutlinedButton(onClick = { showing = null }, modifier = Modifier.testTag("back")) { Text(words.back) }
            ReportDetail(shell, opened, words)
            return@Column
        }
        val mine = view.reports.filter { it.mine }
        if (mine.isEmpty()) Text(words.nothingYet)
        for (report in mine) ReportCard(report, words, onClick = { showing = report.id; shell.openReport(report.id) })
        OutlinedButton(onClick = { shell.sync() }, modifier = Modifier.testTag("sync-now")) { Text(words.syncNow) }
    }
}

/** Open reports near me, to say "me too" rather than file the same problem again. */
@Composable
fun NearbyScreen(shell: RelaisShell, view: ViewModel, platform: Platform, words: Words) {
    Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        val nearby = view.nearby
        var category by remember { mutableStateOf(nearby?.category ?: view.draft?.category) }
        val chosen = view.categories.firstOrNull { it.code == category }
        if (chosen == null) {
            CategoryPicker(view, words) { category = it }
        } else {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(chosen.name, style = MaterialTheme.typography.titleSmall, modifier = Modifier.weight(1f).padding(top = 10.dp))
                OutlinedButton(onClick = { category = null }) { Text(words.otherCategory) }
            }
            Button(onClick = { platform.locate { fix -> if (fix != null) shell.findNearby(chosen.code, fix.lat, fix.lon) } },
                modifier = Modifier.testTag("look-around")) { Text(words.lookAround) }
        }
        nearby?.takeIf { it.category == category }?.answeredBy?.let {
            Text(it, style = MaterialTheme.typography.bodySmall, modifier = Modifier.testTag("nearby-from"))
        }
        if (nearby != null && !nearby.looking && nearby.reports.isEmpty()) Text(words.nothingYet, Modifier.testTag("nearby-empty"))
        for (near in nearby?.reports.orEmpty()) {
            ReportCard(near.report, words) {
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    Text(words.distance(near.distanceM))
                    if (near.report.supported) {
                        Text(words.youSupport, style = MaterialTheme.typography.labelLarge, modifier = Modifier.testTag("supported-${near.report.id}"))
                    } else if (!near.report.mine) {
                        OutlinedButton(onClick = { shell.support(near.report.id) }, modifier = Modifier.testTag("me-too-${near.report.id}")) {
                            Text(words.meToo)
                        }
                    }
                }
            }
        }
    }
}

/** The town's public services, with their ratings; I rate one from 1 to 5. */
@Composable
fun ServicesScreen(shell: RelaisShell, view: ViewModel, words: Words) {
    Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        for (service in view.services.take(20)) ServiceCard(shell, service, words)
    }
}

@Composable
private fun ServiceCard(shell: RelaisShell, service: ServiceView, words: Words) {
    var satisfaction by remember { mutableStateOf(service.myRating?.satisfaction?.toInt() ?: 0) }
    var importance by remember { mutableStateOf(service.myRating?.importance?.toInt() ?: 0) }
    Card(Modifier.fillMaxWidth().testTag("service-${service.id}")) {
        Column(Modifier.padding(10.dp)) {
            Text(service.name, style = MaterialTheme.typography.titleSmall)
            service.address?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            service.satisfactionMean?.let { Text("★ %.1f (%d)".format(it, service.ratingsCount?.toInt() ?: 0)) }
            Scale(words.satisfaction, satisfaction, "sat-${service.id}") { satisfaction = it }
            Scale(words.importance, importance, "imp-${service.id}") { importance = it }
            Button(enabled = satisfaction > 0 && importance > 0, onClick = { shell.rateService(service.id, satisfaction, importance, null) },
                modifier = Modifier.testTag("rate-${service.id}")) { Text(words.rate) }
        }
    }
}

@Composable
private fun Scale(label: String, value: Int, tag: String, onChange: (Int) -> Unit) {
    Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
        Text(label, Modifier.padding(end = 8.dp))
        for (n in 1..5) FilterChip(selected = n <= value, onClick = { onChange(n) }, label = { Text("$n") }, modifier = Modifier.testTag("$tag-$n"))
    }
}

/**
 * The agent's work list: resolve with a photo taken on site, transfer to another service; the
 * changes the server refused as conflicts, each beside the report as it is now, to apply again
 * on that state when the core says it still applies.
 */
@Composable
fun WorkScreen(shell: RelaisShell, view: ViewModel, platform: Platform, words: Words) {
    Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        val conflicts = view.outbox.filter { it.conflict != null }
        if (conflicts.isNotEmpty()) {
            Text(words.conflicts, style = MaterialTheme.typography.titleSmall)
            for (item in conflicts) ConflictCard(shell, item, words)
        }
        (view.action as? ActionView.Failed)?.let { Text(it.message, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("action-failed")) }
        OutlinedButton(onClick = { shell.sync() }, modifier = Modifier.testTag("sync-now")) { Text(words.syncNow) }
        if (view.work.isEmpty()) Text(words.nothingYet)
        var transferring by remember { mutableStateOf<String?>(null) }
        for (task in view.work) {
            ReportCard(task.report, words) {
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    OutlinedButton(onClick = { shell.staffAction(task.report.id, StaffActionInput.Start) },
                        modifier = Modifier.testTag("start-${task.report.id}")) { Text(words.start) }
                    Button(onClick = {
                        platform.pickPhoto { photo ->
                            shell.staffAction(task.report.id, StaffActionInput.Resolve, photos = listOfNotNull(photo))
                        }
                    }, modifier = Modifier.testTag("resolve-${task.report.id}")) { Text(words.resolve) }
                    OutlinedButton(onClick = { transferring = if (transferring == task.report.id) null else task.report.id },
                        modifier = Modifier.testTag("transfer-${task.report.id}")) { Text(words.transfer) }
                }
                if (transferring == task.report.id) {
                    Text(words.transferTo, style = MaterialTheme.typography.labelLarge)
                    for (department in view.departments.filter { it.code != task.report.serviceCode }) {
                        Text(department.name, Modifier.fillMaxWidth().clickable {
                            transferring = null
                            shell.staffAction(task.report.id, StaffActionInput.Transfer(department.code))
                        }.padding(start = 12.dp, top = 6.dp, bottom = 6.dp).testTag("transfer-${task.report.id}-${department.code}"))
                    }
                }
            }
        }
    }
}

/** A change the server refused because the report moved on: mine, the report now, and what to do. */
@Composable
private fun ConflictCard(shell: RelaisShell, item: OutboxItemView, words: Words) {
    val conflict = item.conflict ?: return
    Card(Modifier.fillMaxWidth().testTag("conflict-${item.id}"), colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer)) {
        Column(Modifier.padding(10.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            item.reason?.let { Text(it, style = MaterialTheme.typography.titleSmall) }
            Text(words.labelled("${words.yourChange} (${words.version(conflict.basedOnVersion)})", item.change.orEmpty()), style = MaterialTheme.typography.bodySmall)
            val now = listOfNotNull(conflict.currentStatusLabel, conflict.currentLastChange.takeIf { it != conflict.currentStatusLabel })
            conflict.currentVersion?.let { version ->
                Text(words.labelled("${words.reportNow} (${words.version(version)})", now.joinToString(" — ")), style = MaterialTheme.typography.bodySmall,
                    modifier = Modifier.testTag("conflict-now-${item.id}"))
            }
            if (conflict.canReapply) {
                OutlinedButton(onClick = { shell.reapply(item.id) }, modifier = Modifier.testTag("reapply-${item.id}")) { Text(words.reapply) }
            }
            conflict.reapplyProblem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        }
    }
}
