public import Resources

/// The type of a Kubernetes Event.
public enum EventSeverity: String, Sendable {
    case normal = "Normal"
    case warning = "Warning"
}

/// Where reconcilers report what they did, as Kubernetes Events on the object concerned.
/// Recording never fails and never blocks a reconcile for long.
public protocol EventSink: Sendable {
    func record(on object: Resource, type: EventSeverity, reason: String, message: String) async
}

/// Drops every event (tests and tools that do not want them).
public struct DiscardingEventSink: EventSink {
    public init() {}
    public func record(on object: Resource, type: EventSeverity, reason: String, message: String) async {}
}
