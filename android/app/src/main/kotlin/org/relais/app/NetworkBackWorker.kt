package org.relais.app

import android.content.Context
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Runs when WorkManager sees a network (also with the app in the background): tells the core
 * the network is back and waits until it has synced. The core decides what to send and when to
 * try again; this worker holds no retry logic.
 */
class NetworkBackWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val shell = (applicationContext as RelaisApplication).shell
        shell.networkBack()
        withContext(Dispatchers.IO) { shell.waitIdle(WAIT_MS) }
        return Result.success()
    }

    companion object {
        private const val WAIT_MS = 5 * 60_000L

        fun schedule(context: Context) {
            val request = PeriodicWorkRequestBuilder<NetworkBackWorker>(15, TimeUnit.MINUTES)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .build()
            WorkManager.getInstance(context)
                .enqueueUniquePeriodicWork("network-back", ExistingPeriodicWorkPolicy.KEEP, request)
        }
    }
}
