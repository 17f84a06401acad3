package org.relais.screens

/**
 * What the screens need from the device and cannot do in common code: a position, a picture, a
 * place on a map. Android implements it with the location service, the photo picker (HEIC
 * converted to JPEG) and a map; the desktop build and its tests with fixed answers. Kept small so
 * that the screens stay free of platform APIs and compile for both targets. Each answer comes
 * later, through its callback, on the main thread (a phone asks the user or waits for a fix).
 */
interface Platform {
    /** `android`, `ios` or `desktop`: told to the server at registration. */
    val name: String

    /** The device's current position, or `null` when there is no fix. */
    fun locate(onFix: (Fix?) -> Unit)

    /** A picture file the user chose or took (JPEG, PNG or WebP), or `null` if they cancelled. */
    fun pickPhoto(onPhoto: (String?) -> Unit)

    /** A place the user put the pin on, or `null` if they cancelled. */
    fun pickPlace(onPlace: (Fix?) -> Unit)
}

/** A position; [accuracyM] is the radius of a GPS fix, `null` for a pin. */
data class Fix(val lat: Double, val lon: Double, val accuracyM: Double?)
