// The Relais Android app: a thin shell on the Rust core. Screens are shared with the desktop
// build (../screens); this module holds only what needs Android: the activity, location, the photo
// picker with HEIC to JPEG, notifications, and background sync with WorkManager.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "org.relais.app"
    compileSdk = 36

    defaultConfig {
        applicationId = "org.relais.app"
        minSdk = 26
        targetSdk = 36
        versionCode = 1
        versionName = "0.1.0"
    }

    sourceSets["main"].java.srcDirs(
        "src/main/kotlin",
        "../screens/src/main/kotlin",
        "../src/main/kotlin",
        "../generated/kotlin",
    )
    // libshared.so per ABI, from ../build-jni-libs.sh.
    sourceSets["main"].jniLibs.srcDirs("src/main/jniLibs")

    buildFeatures { compose = true }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(platform("androidx.compose:compose-bom:2025.10.01"))
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.material3:material3")
    implementation("androidx.activity:activity-compose:1.11.0")
    implementation("androidx.work:work-runtime-ktx:2.10.5")
    implementation("androidx.core:core-ktx:1.17.0")
    // The UniFFI bindings call the core through JNA; the AAR carries its Android natives.
    implementation("net.java.dev.jna:jna:5.19.1@aar")
}
