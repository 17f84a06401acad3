// The Android app (Gradle). It reuses the Compose screens of screens/ (no Android API in them,
// also built and UI-tested on the desktop JVM by desktop/pom.xml), the Kotlin shell wrapper of
// src/main/kotlin and the UniFFI bindings generated into generated/kotlin. The core's native
// libraries come from build-jni-libs.sh (cargo-ndk). Not built on the project's CI machines: they
// have no Android SDK (see README).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "relais"
include(":app")
