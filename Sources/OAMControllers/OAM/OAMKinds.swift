import OrderedCollections
public import Resources
import OAM
import ControllerRuntime

/// The kinds the OAM controllers read and write.
public enum OAMKinds {
    public static let applicationConfiguration = GroupVersionKind(
        group: OAM.group, version: OAM.version, kind: ApplicationConfiguration.kind)
    public static let component = GroupVersionKind(group: OAM.group, version: OAM.version, kind: Component.kind)
    public static let workloadDefinition = GroupVersionKind(
        group: OAM.group, version: OAM.version, kind: WorkloadDefinition.kind)
    public static let traitDefinition = GroupVersionKind(group: OAM.group, version: OAM.version, kind: TraitDefinition.kind)
    public static let scopeDefinition = GroupVersionKind(group: OAM.group, version: OAM.version, kind: ScopeDefinition.kind)
    public static let controllerRevision = GroupVersionKind(group: "apps", version: "v1", kind: "ControllerRevision")
    public static let customResourceDefinition = GroupVersionKind(
        group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")
}

extension GroupVersionKind {
    /// The kind of the object `reference` points at.
    init(reference: TypedReference) {
        self.init(apiVersion: reference.apiVersion, kind: reference.kind)
    }
}
