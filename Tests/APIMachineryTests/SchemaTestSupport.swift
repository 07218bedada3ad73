import OrderedCollections
import Resources
import Testing

/// An object written as JSON in a test.
func resource(_ text: String) throws -> Resource {
    try Resource(json(text))
}

/// Causes as kube prints them in a Status message: `field: message`.
func printed(_ causes: [APIError.Cause]) -> [String] {
    causes.map { "\($0.field): \($0.message)" }
}
