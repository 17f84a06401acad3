package org.relais.app

import android.app.Application
import android.app.NotificationChannel
import android.app.NotificationManager
import android.os.Handler
import android.os.Looper
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import java.util.Locale
import org.relais.shell.RelaisShell

/**
 * Holds the one [RelaisShell] of the process (the core, its store in the app's files), posts
 * the core's notifications as system notifications, and asks WorkManager to tell the core when
 * the network is back. Retries and timers are the core's own (its sync policy): nothing here.
 */
class RelaisApplication : Application() {
    lateinit var shell: RelaisShell
        private set

    override fun onCreate() {
        super.onCreate()
        val main = Handler(Looper.getMainLooper())
        shell = RelaisShell { main.post(it) }
        shell.start(filesDir.path, Locale.getDefault().toLanguageTag())
        val channel = NotificationChannel(CHANNEL, "Relais", NotificationManager.IMPORTANCE_DEFAULT)
        getSystemService(NotificationManager::class.java).createNotificationChannel(channel)
        shell.addNotificationListener { notification ->
            val posted = NotificationCompat.Builder(this, CHANNEL)
                .setSmallIcon(android.R.drawable.stat_notify_sync)
                .setContentTitle(notification.title)
                .setContentText(notification.body)
                .setAutoCancel(true)
                .build()
            if (NotificationManagerCompat.from(this).areNotificationsEnabled()) {
                @Suppress("MissingPermission") // checked just above
                NotificationManagerCompat.from(this).notify(notification.id.hashCode(), posted)
            }
        }
        NetworkBackWorker.schedule(this)
    }

    private companion object {
        const val CHANNEL = "reports"
    }
}
