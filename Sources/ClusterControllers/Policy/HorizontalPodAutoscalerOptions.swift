/// How the horizontal-pod-autoscaler controller runs.
public struct HorizontalPodAutoscalerOptions: Sendable {
    /// How often each HPA is synced (kube-controller-manager's
    /// `--horizontal-pod-autoscaler-sync-period`, 15 seconds by default); tests shorten it.
    public var syncPeriod: Duration = .seconds(15)

    public init() {}
}
