import Resources

/// The member names of an object, in order; empty for anything else.
func memberNames(_ value: JSONValue?) -> [String] {
    guard case .object(let members)? = value else { return [] }
    return members.map(\.key)
}
