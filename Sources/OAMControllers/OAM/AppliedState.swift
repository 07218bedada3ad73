import OrderedCollections
import OAM
import Resources
import ControllerRuntime

/// Decides whether an object must be written, so that a reconcile that would change nothing
/// sends nothing: the object carries the hash of what was last applied to it, and the live
/// object must still hold every field of the desired one (an edit made out of band is put back).
enum AppliedState {
    /// The annotation holding the hash of the last applied object.
    static let annotation = "mizzen.oam.dev/applied-hash"

    /// `desired` with the hash annotation of its own content.
    static func stamped(_ desired: Resource) -> Resource {
        var object = desired
        let hash = String(desired.value.canonicalHash, radix: 16)
        object.withMetadata { metadata in
            metadata.withObject("annotations") { $0[annotation] = .string(hash) }
        }
        return object
    }

    /// Whether `live` already is `desired` (stamped): same hash and every desired field in place.
    static func isCurrent(_ live: Resource, desired: Resource) -> Bool {
        guard let hash = desired.annotations[annotation], live.annotations[annotation] == hash else { return false }
        return contains(live.value, desired.value)
    }

    /// Whether `actual` holds every member of `expected` with the same value (arrays element by
    /// element, with the same length); members only in `actual` (defaults, status, other
    /// managers' fields) do not matter.
    ///
    /// Lists of named objects (containers, env, volumes…) are lists server-side apply merges by
    /// key: an element another manager added (a sidecar, an env var of a trait) is not ours to
    /// remove and a re-apply would not remove it, so only ours must be there, each in an element
    /// of the same name.
    static func contains(_ actual: JSONValue, _ expected: JSONValue) -> Bool {
        switch (actual, expected) {
        case (.object(let actualMembers), .object(let expectedMembers)):
            for (key, value) in expectedMembers {
                guard let other = actualMembers[key] else {
                    if value.isNull { continue }
                    return false
                }
                if !contains(other, value) { return false }
            }
            return true
        case (.array(let actualElements), .array(let expectedElements)):
            if !expectedElements.isEmpty, expectedElements.allSatisfy({ $0["name"]?.stringValue != nil }) {
                return expectedElements.allSatisfy { element in
                    actualElements.contains { $0["name"] == element["name"] && contains($0, element) }
                }
            }
            guard actualElements.count == expectedElements.count else { return false }
            return zip(actualElements, expectedElements).allSatisfy { contains($0, $1) }
        default:
            return actual == expected
        }
    }
}
