import Resources
import Store
import Testing

/// Inputs the fuzz targets (`scripts/fuzz`, target `field-selector`) found, kept as tests.
@Suite("Fuzz regressions: field selectors")
struct StoreFuzzRegressionTests {
    @Test("a field selector with escaped characters prints them escaped, so it reads back the same", arguments: [
        (#"metadata.name=a\,b"#, #"metadata.name=a\,b"#),
        (#"metadata.name=x\=y"#, #"metadata.name=x\=y"#),
        (#"metadata.name!=\\"#, #"metadata.name!=\\"#),
        (#"metadata.namespace=\,\=\\"#, #"metadata.namespace=\,\=\\"#),
    ])
    func escapedValuesRoundTrip(text: String, printed: String) throws {
        let selector = try FieldSelector(parsing: text)
        #expect(selector.description == printed)
        #expect(try FieldSelector(parsing: selector.description) == selector)
        #expect(selector.requirements.first?.value.contains("\\") == text.contains(#"\\"#))
    }
}
