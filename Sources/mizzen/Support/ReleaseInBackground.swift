/// Drops `value` on a background task: releasing the last reference to a large tree of parsed
/// objects walks all of it, which the caller need not wait for. Pass it with `consume`, so that
/// the caller keeps no reference of its own.
func releaseInBackground(_ value: sending some Sendable) {
    Task.detached(priority: .background) { withExtendedLifetime(value) {} }
}
