/// The OAM controllers (ApplicationConfiguration, Component revisions, the built-in workload,
/// trait and scope reconcilers), admission and webhooks, on the controller runtime of
/// `ControllerRuntime`, speaking only the Kubernetes API through `KubeClient` — so the same code
/// runs against the embedded plane and against any cluster.
public enum Controllers {
    /// The field manager every write of the controllers is recorded under.
    public static let fieldManager = "mizzen"
}
