import OrderedCollections
/// Names fixed by the OAM v1alpha2 API and the reference runtime.
public enum OAM {
    /// The API group of every OAM kind.
    public static let group = "core.oam.dev"
    /// The version served.
    public static let version = "v1alpha2"
    /// `core.oam.dev/v1alpha2`.
    public static let apiVersion = "core.oam.dev/v1alpha2"

    /// Labels and annotations the runtime writes (spec §1.3).
    public enum Label {
        public static let appName = "app.oam.dev/name"
        public static let component = "app.oam.dev/component"
        public static let revision = "app.oam.dev/revision"
        public static let resourceType = "app.oam.dev/resourceType"
        public static let workloadType = "workload.oam.dev/type"
        public static let traitType = "trait.oam.dev/type"
        public static let controllerRevisionComponent = "controller.oam.dev/component"
        public static let containerizedWorkload = "containerizedworkload.oam.crossplane.io"
    }

    /// Annotations the runtime writes.
    public enum Annotation {
        public static let generation = "app.oam.dev/generation"
    }

    /// The finalizer put on an ApplicationConfiguration that uses scopes.
    public static let scopeFinalizer = "scope.finalizer.core.oam.dev"
}
