/// The page end-session shows when nothing proves the relying party asked for the
/// sign-out (no valid `id_token_hint`): OIDC RP-Initiated Logout §2 says to ask the user,
/// otherwise any site could sign a user out by linking here. The form posts back with a
/// CSRF token and carries the original parameters along.
enum SignOutConfirmTemplate {
    static let name = "signout-confirm"
    static let source = """
        {{<page}}{{$title}}Sign out?{{/title}}{{$body}}<h1>Sign out?</h1>
        <p>Do you want to sign out of {{tenantName}}?</p>
        <form method="post" action="{{action}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="confirm" value="yes">
        {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">
        {{/fields}}<button type="submit">Sign out</button>
        </form>{{/body}}{{/page}}
        """
}
