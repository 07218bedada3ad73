import OrderedCollections
public import Resources

/// Component snapshots stored in ControllerRevisions (spec §5.2).
public enum ComponentSnapshot {
    /// The Component stored in a ControllerRevision's `data`.
    ///
    /// - Throws: ``Resources/JSONValueDecodingError`` (path under `data`) when `data` is not a Component.
    public static func component(from revision: Resource) throws -> Component {
        guard let data = revision.object["data"], case .object = data else {
            throw JSONValueDecodingError(path: FieldPath([.field("data")]), message: "expected a Component object")
        }
        let resource = try Resource(data)
        do {
            return try Component(resource)
        } catch {
            throw error.under("data")
        }
    }

    /// The ControllerRevision `<component>-v<number>` recording `component` (spec §5.2).
    public static func revision(of component: Component, number: Int64) -> Resource {
        var snapshot = component.resource
        var status = snapshot.status ?? .emptyObject
        let revision = Component.Revision(component: component.name, number: number)
        status["latestRevision"] = ["name": .string(revision.name), "revision": .int(number)]
        snapshot.status = status
        var object = Resource(apiVersion: "apps/v1", kind: "ControllerRevision", name: revision.name,
                              namespace: component.namespace)
        object.setLabel(OAM.Label.controllerRevisionComponent, component.name)
        if let uid = component.resource.uid {
            object.ownerReferences = [OwnerReference(
                apiVersion: OAM.apiVersion, kind: Component.kind, name: component.name, uid: uid, controller: true)]
        }
        object.object["revision"] = .int(number)
        object.object["data"] = snapshot.value
        return object
    }
}
