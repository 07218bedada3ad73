public import Resources
import OrderedCollections

/// JSON merge patch (RFC 7386), the `application/merge-patch+json` patch type.
///
/// An object patch merges into the target member by member, `null` removes a member, and
/// anything else (arrays included) replaces the target. Members keep their place in the target;
/// new members are appended in the patch's order.
///
/// ```swift
/// JSONMergePatch.apply(["spec": ["replicas": 3, "paused": nil]], to: deployment)
/// ```
public enum JSONMergePatch {
    /// The target with `patch` merged in.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var members = target.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value.isNull {
                members.removeValue(forKey: key)
            } else if let current = members[key] {
                // Release the stored copy first so that nested edits do not copy.
                members[key] = .null
                members[key] = apply(value, to: current)
            } else {
                members[key] = apply(value, to: .null)
            }
        }
        return .object(members)
    }
}
