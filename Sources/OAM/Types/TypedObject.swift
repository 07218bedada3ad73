import OrderedCollections
public import Resources

/// A typed view of an OAM object: its `spec` and `status` decoded from a ``Resources/Resource``.
///
/// The view keeps the object it was decoded from, so fields the types do not know (newer API
/// fields, `extension` blocks, metadata) survive ``encoded()``.
public protocol TypedObject: Sendable {
    associatedtype Spec: Codable & Sendable & Hashable
    associatedtype Status: Codable & Sendable & Hashable

    /// The kind, such as `Component`.
    static var kind: String { get }

    /// The object the view was decoded from.
    var resource: Resource { get set }
    var spec: Spec { get set }
    var status: Status? { get set }

    init(resource: Resource, spec: Spec, status: Status?)
}

extension TypedObject {
    /// The API version every OAM kind is served at.
    public static var apiVersion: String { OAM.apiVersion }

    /// Decodes the view of `resource`.
    ///
    /// - Throws: ``Resources/JSONValueDecodingError`` whose path starts at the object root
    ///   (`spec.components[0].componentName`).
    public init(_ resource: Resource) throws(JSONValueDecodingError) {
        let decoder = JSONValueDecoder()
        let spec: Spec
        do {
            spec = try decoder.decode(Spec.self, from: resource.spec ?? .object([:]))
        } catch {
            throw error.under("spec")
        }
        var status: Status?
        if let raw = resource.status, !raw.isNull {
            do {
                status = try decoder.decode(Status.self, from: raw)
            } catch {
                throw error.under("status")
            }
        }
        self.init(resource: resource, spec: spec, status: status)
    }

    public var name: String { resource.name }
    public var namespace: String? { resource.namespace }

    /// The object with the view's spec and status written over the original; members the
    /// types do not model are kept.
    public func encoded() throws -> Resource {
        let encoder = JSONValueEncoder()
        var out = resource
        out.spec = (out.spec ?? .emptyObject).overlaid(with: try encoder.encode(spec))
        if let status {
            out.status = (out.status ?? .emptyObject).overlaid(with: try encoder.encode(status))
        } else {
            out.status = nil
        }
        return out
    }
}

extension JSONValueDecodingError {
    /// The same error with its path moved under `field`.
    func under(_ field: String) -> JSONValueDecodingError {
        var copy = self
        copy.path = FieldPath([.field(field)]).appending(path)
        return copy
    }
}

extension JSONValue {
    /// `self` with `other` written over it: objects merge member by member (members only in
    /// `self` stay, in their place), arrays of equal length merge element by element, anything
    /// else is replaced by `other`.
    public func overlaid(with other: JSONValue) -> JSONValue {
        switch (self, other) {
        case (.object(var base), .object(let top)):
            for (key, value) in top {
                base[key] = base[key].map { $0.overlaid(with: value) } ?? value
            }
            return .object(base)
        case (.array(let base), .array(let top)) where base.count == top.count:
            return .array(zip(base, top).map { $0.overlaid(with: $1) })
        default:
            return other
        }
    }
}
