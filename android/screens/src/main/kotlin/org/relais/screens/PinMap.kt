package org.relais.screens

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.border
import androidx.compose.foundation.gestures.detectTapGestures
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clipToBounds
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.relais.core.MapView

/**
 * The map behind the pin, drawn without tiles: the town's zone outlines the core sends (finer
 * zones thinner), the pin, and the GPS fix's accuracy circle. The core frames it and gives every
 * point as a fraction of the frame; this only scales them to the canvas. A tap places the pin
 * there ([onPlace] gets latitude and longitude, through the frame's bounds).
 */
@Composable
fun PinMap(map: MapView, onPlace: (lat: Double, lon: Double) -> Unit) {
    val colors = MaterialTheme.colorScheme
    Canvas(
        Modifier.fillMaxWidth().aspectRatio(1f).clipToBounds().border(1.dp, colors.outline).testTag("pin-map")
            .pointerInput(map.west, map.north) {
                detectTapGestures { tap ->
                    val x = tap.x / size.width
                    val y = tap.y / size.height
                    onPlace(map.north - y * (map.north - map.south), map.west + x * (map.east - map.west))
                }
            },
    ) {
        fun at(x: Double, y: Double) = Offset((x * size.width).toFloat(), (y * size.height).toFloat())
        for (outline in map.outlines) {
            val path = Path()
            for (ring in outline.rings) {
                ring.forEachIndexed { i, p ->
                    val o = at(p.x, p.y)
                    if (i == 0) path.moveTo(o.x, o.y) else path.lineTo(o.x, o.y)
                }
                path.close()
            }
            val level = outline.level.toInt()
            drawPath(path, colors.outline.copy(alpha = if (level == 0) 0.9f else 0.55f), style = Stroke((3 - level).coerceAtLeast(1).toFloat()))
        }
        val pin = map.pin ?: return@Canvas
        val centre = at(pin.x, pin.y)
        map.accuracyRadius?.let { radius ->
            val r = (radius * size.width).toFloat()
            drawCircle(colors.primary.copy(alpha = 0.15f), r, centre)
            drawCircle(colors.primary, r, centre, style = Stroke(1.5f))
        }
        drawCircle(colors.error, 7f, centre)
        drawCircle(colors.onError, 3f, centre)
    }
}
