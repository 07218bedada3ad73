/// The simulated node: its name, what it reports, and how fast the simulated kubelet moves Pods
/// through their lifecycle (tests shorten the durations).
public struct NodeOptions: Sendable {
    /// The Node object's name.
    public var name = "mizzen"
    /// The node's `InternalIP` address, every Pod's `hostIP`.
    public var internalIP = "127.0.0.1"
    /// The range Pod IPs come from (an IPv4 `/8`…`/30`), as the node's `spec.podCIDR`.
    public var podCIDR = "10.244.0.0/24"
    /// Pods the node takes at most (kubelet's `--max-pods`).
    public var maxPods = 110
    /// Taints of the node, as `spec.taints` entries (`{"key": …, "effect": "NoSchedule"}`).
    public var taints: [[String: String]] = []

    /// How long each step of a Pod's start takes: the sandbox, each init container, and the
    /// pull, create and start of its containers; also how long an image pull error shows as
    /// `ErrImagePull` before `ImagePullBackOff`.
    public var stepDuration: Duration = .seconds(1)
    /// How long the containers of a Pod with `restartPolicy` `Never` or `OnFailure` run before
    /// they exit, unless the Pod's `mizzen.dev/run-seconds` annotation says otherwise.
    public var jobRunDuration: Duration = .seconds(2)
    /// How long a crash-looping container (`mizzen.dev/crash-loop`) runs before it exits.
    public var crashAfter: Duration = .seconds(2)
    /// The first back-off of a container restart or an image pull; it doubles up to
    /// ``maximumBackOff``, as kubelet's (10s → 5m).
    public var backOff: Duration = .seconds(10)
    /// The longest back-off.
    public var maximumBackOff: Duration = .seconds(300)

    /// The node Lease's `leaseDurationSeconds`; kubelet renews it every quarter of that.
    public var leaseDurationSeconds = 40
    /// How often the node's conditions get a new heartbeat when nothing changed (kubelet's
    /// `nodeStatusReportFrequency`).
    public var statusReportInterval: Duration = .seconds(300)
    /// The node's wall clock (steady across jumps of the machine's; tests inject jumps).
    public var clock = NodeClock.steady()

    public init() {}

    /// Durations short enough for tests: steps of 100ms, back-offs from 1s.
    public static var fast: NodeOptions {
        var options = NodeOptions()
        options.stepDuration = .milliseconds(100)
        options.jobRunDuration = .milliseconds(300)
        options.crashAfter = .milliseconds(300)
        options.backOff = .seconds(1)
        options.maximumBackOff = .seconds(4)
        return options
    }
}
