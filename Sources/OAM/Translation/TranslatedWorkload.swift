import OrderedCollections
public import Resources

/// The Kubernetes objects a ContainerizedWorkload becomes.
///
/// See ``ContainerizedWorkloadTranslation/translate(_:)``.
public struct TranslatedWorkload: Sendable, Hashable {
    /// The `apps/v1` Deployment running the containers.
    public var deployment: Resource
    /// The ClusterIP `v1` Service for the first container's first port; `nil` when that
    /// container has no ports.
    public var service: Resource?
    /// One `v1` ConfigMap per config file with a `value`, in container and file order.
    public var configMaps: [Resource]

    public init(deployment: Resource, service: Resource?, configMaps: [Resource]) {
        self.deployment = deployment
        self.service = service
        self.configMaps = configMaps
    }
}
