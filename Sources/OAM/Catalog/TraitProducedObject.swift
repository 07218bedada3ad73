import OrderedCollections
public import Resources

/// A field of a catalog trait's `spec` that its render function cannot use, with what to do.
///
/// ```swift
/// CatalogFieldError(path: "spec.maxReplicas", message: "must be at least minReplicas (3)").description
/// // "spec.maxReplicas: must be at least minReplicas (3)"
/// ```
public struct CatalogFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The trait's field at fault, such as `spec.maxReplicas`.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// The object a catalog trait makes (an autoscaler, a budget, a Service): named after the trait
/// in its namespace, with the trait's application and component labels and a controller
/// reference to the trait, so that garbage collection removes it with the trait.
enum TraitProducedObject {
    /// An empty object of `kind` as `trait` makes it.
    static func make(_ kind: GroupVersionKind, by trait: Resource) -> Resource {
        var object = Resource(apiVersion: kind.apiVersion, kind: kind.kind, name: trait.name, namespace: trait.namespace)
        for key in [OAM.Label.appName, OAM.Label.component] {
            if let value = trait.labels[key] { object.setLabel(key, value) }
        }
        // No uid while rendered offline (`mizzen render`): the reference comes with the live trait.
        if let uid = trait.uid, !uid.isEmpty {
            object.ownerReferences = [OwnerReference(
                apiVersion: trait.apiVersion, kind: trait.kind, name: trait.name, uid: uid, controller: true,
                blockOwnerDeletion: true)]
        }
        return object
    }

    /// The integer at `spec.<field>`: `nil` when unset; an error when it is not an integer or
    /// is below `minimum`.
    static func integer(_ field: String, of trait: Resource, minimum: Int64) throws(CatalogFieldError) -> Int64? {
        guard let value = trait.spec?[field], !value.isNull else { return nil }
        guard let number = value.intValue else {
            throw CatalogFieldError(path: "spec.\(field)", message: "must be an integer, found \(value.typeName)")
        }
        guard number >= minimum else {
            throw CatalogFieldError(path: "spec.\(field)", message: "must be at least \(minimum), found \(number)")
        }
        return number
    }

    /// A count or a percentage (`2`, `"50%"`) as a PodDisruptionBudget or rolling update takes it.
    static func intOrPercent(_ value: JSONValue, path: String) throws(CatalogFieldError) -> JSONValue {
        switch value {
        case .int(let number) where number >= 0:
            return value
        case .string(let text):
            if let number = Int64(text), number >= 0 { return .int(number) }
            if text.hasSuffix("%"), let percent = Int(text.dropLast()), (0...100).contains(percent) {
                return .string("\(percent)%")
            }
            throw CatalogFieldError(path: path, message: "must be a count or a percentage such as 50%, found \"\(text)\"")
        default:
            throw CatalogFieldError(path: path, message: "must be a count (0 or more) or a percentage such as 50%")
        }
    }
}
