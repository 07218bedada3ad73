import Resources
import Testing

@Suite("Field paths")
struct FieldPathTests {
    @Test("a dotted path with an index parses into segments")
    func parsesDotsAndIndexes() throws {
        let path = try FieldPath(parsing: "spec.containers[0].image")
        #expect(path.segments == [.field("spec"), .field("containers"), .index(0), .field("image")])
    }
}
