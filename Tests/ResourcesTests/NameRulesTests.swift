import Resources
import Testing

@Suite("Kubernetes name rules")
struct NameRulesTests {
    @Test("valid DNS-1123 labels", arguments: ["a", "my-name", "123-abc", "0", String(repeating: "a", count: 63)])
    func validLabels(name: String) {
        #expect(NameRules.dns1123Label(name).isEmpty)
    }

    @Test("invalid DNS-1123 labels", arguments: ["", "-a", "a-", "A", "my_name", "a.b", "ü", String(repeating: "a", count: 64)])
    func invalidLabels(name: String) {
        #expect(!NameRules.dns1123Label(name).isEmpty)
    }

    @Test("DNS-1123 label messages follow apimachinery")
    func labelMessages() {
        #expect(NameRules.dns1123Label("My_App") == [
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        ])
        #expect(NameRules.dns1123Label(String(repeating: "a", count: 64)) == ["must be no more than 63 characters"])
        #expect(NameRules.dns1123Label("my.app") == ["must not contain dots"], "a subdomain that is no label, as apimachinery says")
    }

    @Test("valid DNS-1123 subdomains", arguments: ["a", "example.com", "a-b.c-d.e", "1.2.3", String(repeating: "a.", count: 126) + "a"])
    func validSubdomains(name: String) {
        #expect(NameRules.dns1123Subdomain(name).isEmpty)
    }

    @Test("invalid DNS-1123 subdomains", arguments: ["", ".a", "a.", "a..b", "A.b", "a_b", "-a.b", "a.b-", String(repeating: "a", count: 254)])
    func invalidSubdomains(name: String) {
        #expect(!NameRules.dns1123Subdomain(name).isEmpty)
    }

    @Test("valid qualified names", arguments: [
        "app", "App_Name.v1", "app.kubernetes.io/name", "example.com/MyName", "a/b", "9", String(repeating: "x", count: 63),
    ])
    func validQualifiedNames(name: String) {
        #expect(NameRules.qualifiedName(name).isEmpty)
    }

    @Test("invalid qualified names and their problems", arguments: [
        ("", ["name part must be non-empty"]),
        ("a/", ["name part must be non-empty"]),
        ("/a", ["prefix part must be non-empty"]),
        ("a/b/c", ["a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]),
        ("_a", ["name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]),
        ("Example.com/a", ["prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]),
        (String(repeating: "x", count: 64), ["name part must be no more than 63 characters"]),
    ])
    func invalidQualifiedNames(name: String, problems: [String]) {
        #expect(NameRules.qualifiedName(name) == problems)
    }

    @Test("valid label values", arguments: ["", "a", "MyValue", "my_value", "12345", "a.b-c_d", String(repeating: "v", count: 63)])
    func validValues(value: String) {
        #expect(NameRules.labelValue(value).isEmpty)
    }

    @Test("invalid label values", arguments: ["-a", "a-", "_", "a b", "a/b", "é", String(repeating: "v", count: 64)])
    func invalidValues(value: String) {
        #expect(!NameRules.labelValue(value).isEmpty)
    }
}
