package org.relais.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
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
import org.relais.core.AccountView
import org.relais.core.ViewModel
import org.relais.shell.RelaisShell

/** First launch: the language, the town (its server and code), a staff code for agents. */
@Composable
fun FirstLaunch(shell: RelaisShell, view: ViewModel, platform: Platform, words: Words) {
    var server by remember { mutableStateOf("") }
    var town by remember { mutableStateOf("") }
    var code by remember { mutableStateOf("") }
    Column(Modifier.padding(24.dp).fillMaxWidth(), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(words.welcome, style = MaterialTheme.typography.headlineSmall)
        Text(words.language)
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            FilterChip(selected = view.language == "fr", onClick = { shell.setLanguage("fr") }, label = { Text("Français") },
                modifier = Modifier.testTag("lang-fr"))
            FilterChip(selected = view.language == "en", onClick = { shell.setLanguage("en") }, label = { Text("English") },
                modifier = Modifier.testTag("lang-en"))
        }
        OutlinedTextField(server, { server = it }, label = { Text(words.server) }, singleLine = true,
            modifier = Modifier.fillMaxWidth().testTag("server"))
        OutlinedTextField(town, { town = it }, label = { Text(words.town) }, singleLine = true,
            modifier = Modifier.fillMaxWidth().testTag("town"))
        OutlinedTextField(code, { code = it }, label = { Text(words.enrolment) }, singleLine = true,
            modifier = Modifier.fillMaxWidth().testTag("enrolment"))
        Button(onClick = { shell.register(server.trim(), town.trim(), platform.name, code.trim().ifEmpty { null }) },
            modifier = Modifier.testTag("begin")) { Text(words.begin) }
        view.registrationProblem?.let { Text(it.message, color = MaterialTheme.colorScheme.error) }
        // After "delete my account" the device starts again from here, and says what happened.
        (view.account as? AccountView.Deleted)?.let { Text(it.message, modifier = Modifier.testTag("account-deleted")) }
    }
}
