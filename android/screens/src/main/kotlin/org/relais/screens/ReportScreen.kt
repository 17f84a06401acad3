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
import org.relais.core.ActionView
import org.relais.core.AnswerValue
import org.relais.core.DraftStep
import org.relais.core.DraftView
import org.relais.core.PlacedBy
import org.relais.core.ViewModel
import org.relais.shell.RelaisShell

/**
 * Filing a report step by step, as the core's draft says: category (search and groups), place
 * (GPS with its accuracy, or a pin), photos, text and the category's questions, review, send.
 */
@Composable
fun ReportScreen(shell: RelaisShell, view: ViewModel, platform: Platform, words: Words) {
    Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        val draft = view.draft
        val saved = view.action as? ActionView.Saved
        if (draft == null) {
            if (saved != null) Text(saved.message, modifier = Modifier.testTag("action-message"))
            Button(onClick = { shell.startDraft() }, modifier = Modifier.testTag("new-report")) { Text(words.newReport) }
            return@Column
        }
        Text(draft.categoryName ?: words.newReport, style = MaterialTheme.typography.titleMedium)
        draft.lat?.let { lat ->
            val accuracy = draft.accuracyM?.let { " (${words.accuracy} ± ${it.toInt()} m)" } ?: ""
            Text("%.5f, %.5f%s".format(lat, draft.lon ?: 0.0, accuracy), modifier = Modifier.testTag("draft-place"))
        }
        when (draft.step) {
            DraftStep.CATEGORY -> CategoryStep(shell, view, words)
            DraftStep.LOCATION -> LocationStep(shell, platform, words)
            DraftStep.PHOTOS -> PhotosStep(shell, draft, platform, words)
            DraftStep.DETAILS, DraftStep.REVIEW -> DetailsStep(shell, view, draft, words)
        }
        (draft.problem ?: view.draftProblem)?.let {
            Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("draft-problem"))
        }
        OutlinedButton(onClick = { shell.draft(org.relais.core.DraftIntent.Discard) }) { Text(words.discard) }
        // The map, below the step's own controls: a tap places (or moves) the pin.
        draft.map?.let { map -> PinMap(map) { lat, lon -> shell.draftLocation(lat, lon, null, PlacedBy.PIN) } }
    }
}

@Composable
private fun CategoryStep(shell: RelaisShell, view: ViewModel, words: Words) =
    CategoryPicker(view, words) { shell.draftCategory(it) }

/** The town's categories, searched by name or group, shown by group; [onPick] gets a code. */
@Composable
fun CategoryPicker(view: ViewModel, words: Words, onPick: (String) -> Unit) {
    var query by remember { mutableStateOf("") }
    OutlinedTextField(query, { query = it }, label = { Text(words.searchCategory) }, singleLine = true,
        modifier = Modifier.fillMaxWidth().testTag("category-search"))
    val needle = query.trim().lowercase()
    val found = view.categories.filter {
        needle.isEmpty() || it.name.lowercase().contains(needle) || it.groupName.lowercase().contains(needle)
    }.take(8)
    for ((group, categories) in found.groupBy { it.groupName }) {
        Text(group, style = MaterialTheme.typography.labelLarge)
        for (category in categories) {
            Text(category.name, modifier = Modifier.fillMaxWidth().clickable { onPick(category.code) }
                .padding(start = 12.dp, top = 6.dp, bottom = 6.dp).testTag("category-${category.code}"))
        }
    }
}

@Composable
private fun LocationStep(shell: RelaisShell, platform: Platform, words: Words) {
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        Button(onClick = { platform.locate { fix -> fix?.let { shell.draftLocation(it.lat, it.lon, it.accuracyM, PlacedBy.GPS) } } },
            modifier = Modifier.testTag("use-gps")) { Text(words.useGps) }
        OutlinedButton(onClick = { platform.pickPlace { fix -> fix?.let { shell.draftLocation(it.lat, it.lon, null, PlacedBy.PIN) } } },
            modifier = Modifier.testTag("place-pin")) { Text(words.placePin) }
    }
}

@Composable
private fun PhotosStep(shell: RelaisShell, draft: DraftView, platform: Platform, words: Words) {
    Text(words.photos(draft.photos.size), modifier = Modifier.testTag("photo-count"))
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedButton(onClick = { platform.pickPhoto { photo -> photo?.let(shell::draftPhoto) } }, modifier = Modifier.testTag("add-photo")) {
            Text(words.addPhoto)
        }
        Button(onClick = { shell.draftPhotosDone() }, modifier = Modifier.testTag("photos-done")) { Text(words.photosDone) }
    }
}

@Composable
private fun DetailsStep(shell: RelaisShell, view: ViewModel, draft: DraftView, words: Words) {
    var text by remember { mutableStateOf(draft.text) }
    OutlinedTextField(text, { text = it }, label = { Text(words.describe) }, modifier = Modifier.fillMaxWidth().testTag("text"))
    val category = view.categories.firstOrNull { it.code == draft.category }
    for (question in category?.questions.orEmpty()) {
        Text(question.label + if (question.required) " *" else "")
        Row(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
            for (option in question.options) {
                FilterChip(selected = false, onClick = { shell.draftAnswer(question.code, AnswerValue.Choice(option.code)) },
                    label = { Text(option.label) }, modifier = Modifier.testTag("answer-${question.code}-${option.code}"))
            }
        }
    }
    draft.service?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedButton(onClick = { shell.draftText(text); shell.draftReview() }, modifier = Modifier.testTag("review")) {
            Text(words.review)
        }
        Button(onClick = { shell.draftText(text); shell.draftSubmit() }, modifier = Modifier.testTag("send")) { Text(words.send) }
    }
}
