/// The controller runtime (informers, caches, work queues, the manager, leader election, metrics,
/// events) and the OAM reconcilers, speaking only the Kubernetes API through `KubeClient` — so the
/// same code runs against the embedded plane and against any cluster.
public enum Controllers {
    /// The field manager every write of the controllers is recorded under.
    public static let fieldManager = "mizzen"
}
