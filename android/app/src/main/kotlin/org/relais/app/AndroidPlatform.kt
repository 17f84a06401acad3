package org.relais.app

import android.annotation.SuppressLint
import android.graphics.Bitmap
import android.graphics.ImageDecoder
import android.location.LocationManager
import android.net.Uri
import androidx.activity.ComponentActivity
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import java.io.File
import java.util.UUID
import org.relais.screens.Fix
import org.relais.screens.Platform

/**
 * The phone's side of [Platform]: the location service's fix, the system photo picker (a HEIC
 * picture is converted to JPEG here, as the core reads JPEG, PNG and WebP), and the pin placed on
 * the map (the last fix until the map view is written). Register it in the activity's onCreate.
 */
class AndroidPlatform(private val activity: ComponentActivity) : Platform {
    override val name = "android"

    private var onPhoto: ((String?) -> Unit)? = null

    private val picker = activity.registerForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
        val callback = onPhoto ?: return@registerForActivityResult
        onPhoto = null
        callback(uri?.let(::importPhoto))
    }

    private val permission = activity.registerForActivityResult(ActivityResultContracts.RequestPermission()) {}

    @SuppressLint("MissingPermission") // asked for below; without it there is no fix
    override fun locate(onFix: (Fix?) -> Unit) {
        permission.launch(android.Manifest.permission.ACCESS_FINE_LOCATION)
        val locations = activity.getSystemService(LocationManager::class.java)
        val last = runCatching { locations.getLastKnownLocation(LocationManager.GPS_PROVIDER) }.getOrNull()
        onFix(last?.let { Fix(it.latitude, it.longitude, it.accuracy.toDouble()) })
    }

    override fun pickPhoto(onPhoto: (String?) -> Unit) {
        this.onPhoto = onPhoto
        picker.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly))
    }

    override fun pickPlace(onPlace: (Fix?) -> Unit) = locate { fix -> onPlace(fix?.copy(accuracyM = null)) }

    /** Copies the picked picture into the app's cache, as JPEG when it is HEIC. */
    private fun importPhoto(uri: Uri): String {
        val resolver = activity.contentResolver
        val heic = resolver.getType(uri)?.let { it == "image/heic" || it == "image/heif" } == true
        val out = File(activity.cacheDir, "${UUID.randomUUID()}.${if (heic) "jpg" else "img"}")
        if (heic) {
            val bitmap = ImageDecoder.decodeBitmap(ImageDecoder.createSource(resolver, uri))
            out.outputStream().use { bitmap.compress(Bitmap.CompressFormat.JPEG, 90, it) }
        } else {
            resolver.openInputStream(uri)!!.use { input -> out.outputStream().use(input::copyTo) }
        }
        return out.path
    }
}
