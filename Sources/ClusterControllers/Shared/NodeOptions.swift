/// The simulated node: its name and what it reports.
public struct NodeOptions: Sendable {
    /// The Node object's name.
    public var name = "mizzen"

    public init() {}
}
