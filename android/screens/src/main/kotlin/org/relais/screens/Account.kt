package org.relais.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
import androidx.compose.material3.HorizontalDivider
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
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.unit.dp
import org.relais.core.AccountView
import org.relais.core.ContactChannel
import org.relais.core.ViewModel
import org.relais.shell.RelaisShell

/**
 * My account and data rights. The account is optional (to be told by e-mail or text, to link my
 * devices); export shows everything the town's server holds about me; deletion removes my
 * identity there (my reports stay, anonymised) and resets this device, after a second tap. All
 * of it is online: the core says when the server was not reached.
 */
@Composable
fun AccountScreen(shell: RelaisShell, view: ViewModel, words: Words) {
    val account = view.account
    val ready = account as? AccountView.Ready
    Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(words.account, style = MaterialTheme.typography.titleMedium)
        Text(words.accountIntro, style = MaterialTheme.typography.bodySmall)
        var email by remember { mutableStateOf(ready?.email ?: "") }
        var phone by remember { mutableStateOf("") }
        var contact by remember { mutableStateOf(ready?.contact ?: ContactChannel.IN_APP) }
        OutlinedTextField(email, { email = it }, label = { Text(words.email) }, singleLine = true,
            modifier = Modifier.fillMaxWidth().testTag("account-email"))
        OutlinedTextField(phone, { phone = it }, label = { Text(words.phone) }, singleLine = true,
            modifier = Modifier.fillMaxWidth().testTag("account-phone"))
        Text(words.contactBy)
        Row(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
            for ((channel, label) in listOf(ContactChannel.IN_APP to words.inApp, ContactChannel.EMAIL to words.byEmail, ContactChannel.SMS to words.bySms)) {
                FilterChip(selected = contact == channel, onClick = { contact = channel }, label = { Text(label) },
                    modifier = Modifier.testTag("contact-${channel.name.lowercase()}"))
            }
        }
        Button(onClick = { shell.setAccount(email.trim(), phone.trim().ifEmpty { null }, contact, view.language) },
            modifier = Modifier.testTag("account-save")) { Text(words.saveAccount) }
        if (ready != null) {
            Card(Modifier.fillMaxWidth().testTag("account-ready")) {
                Column(Modifier.padding(10.dp)) {
                    Text(ready.email, style = MaterialTheme.typography.titleSmall)
                    Text(words.devices(ready.devices.toInt()), style = MaterialTheme.typography.bodySmall)
                    Text(words.labelled(words.linkCode, ready.linkCode), modifier = Modifier.testTag("link-code"))
                }
            }
        }
        var code by remember { mutableStateOf("") }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedTextField(code, { code = it }, label = { Text(words.linkWithCode) }, singleLine = true,
                modifier = Modifier.weight(1f).testTag("link-input"))
            OutlinedButton(enabled = code.isNotBlank(), onClick = { shell.linkAccount(code.trim()) },
                modifier = Modifier.padding(top = 8.dp).testTag("link")) { Text(words.link) }
        }
        HorizontalDivider()
        Text(words.dataRights, style = MaterialTheme.typography.titleMedium)
        OutlinedButton(onClick = { shell.exportAccount() }, modifier = Modifier.testTag("export")) { Text(words.exportData) }
        when (account) {
            is AccountView.Working -> Text(words.working)
            is AccountView.Failed -> Text(account.problem.message, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("account-problem"))
            is AccountView.Exported -> {
                Text(words.exported)
                SelectionContainer {
                    Text(account.json, fontFamily = FontFamily.Monospace, style = MaterialTheme.typography.bodySmall,
                        modifier = Modifier.heightIn(max = 320.dp).verticalScroll(rememberScrollState()).testTag("export-json"))
                }
            }
            else -> {}
        }
        var confirming by remember { mutableStateOf(false) }
        if (!confirming) {
            OutlinedButton(onClick = { confirming = true }, modifier = Modifier.testTag("delete")) {
                Text(words.deleteAccount, color = MaterialTheme.colorScheme.error)
            }
        } else {
            Text(words.deleteWarning, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("delete-warning"))
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = { confirming = false; shell.deleteAccount() },
                    colors = ButtonDefaults.buttonColors(containerColor = MaterialTheme.colorScheme.error),
                    modifier = Modifier.testTag("delete-confirm")) { Text(words.confirmDelete) }
                OutlinedButton(onClick = { confirming = false }) { Text(words.cancel) }
            }
        }
    }
}
