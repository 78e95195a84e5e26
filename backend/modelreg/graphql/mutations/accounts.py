from __future__ import annotations

from datetime import datetime

import strawberry

from modelreg import auth
from modelreg.db.models import Membership, UserAccount
from modelreg.domain.actor import Scope
from modelreg.domain.policy import Role
from modelreg.errors import DomainError
from modelreg.graphql.accounts import Member, PersonalAccessTokenType, User
from modelreg.graphql.context import Info
from modelreg.graphql.errors import UserError, run_mutation
from modelreg.graphql.ids import decode_id
from modelreg.services import accounts as account_service
from modelreg.services import members as member_service
from modelreg.services import signin
from modelreg.services import tokens as token_service


@strawberry.input
class LoginInput:
    username: str
    password: str


@strawberry.type
class LoginPayload:
    user: User | None
    errors: list[UserError]


@strawberry.type
class LogoutPayload:
    signed_out: bool
    errors: list[UserError]


@strawberry.input
class CreatePersonalAccessTokenInput:
    name: str = strawberry.field(description="Where the token is used, e.g. 'ci-pipeline'.")
    scopes: list[Scope]
    expires_at: datetime | None = strawberry.field(
        default=None, description="After this instant the token stops working; null: never."
    )


@strawberry.type
class CreatePersonalAccessTokenPayload:
    token: PersonalAccessTokenType | None
    secret: str | None = strawberry.field(
        description="The token itself. Shown only in this response: copy it now."
    )
    errors: list[UserError]


@strawberry.input
class RevokePersonalAccessTokenInput:
    id: strawberry.ID


@strawberry.type
class PersonalAccessTokenPayload:
    token: PersonalAccessTokenType | None
    errors: list[UserError]


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.type
class ChangePasswordPayload:
    changed: bool
    errors: list[UserError]


@strawberry.input
class CreateUserInput:
    username: str
    password: str | None = strawberry.field(
        default=None, description="Null: generate one and return it once."
    )
    display_name: str = ""
    is_admin: bool = False


@strawberry.type
class CreateUserPayload:
    user: User | None
    generated_password: str | None = strawberry.field(
        description="When no password was given: the generated one, shown only here."
    )
    errors: list[UserError]


@strawberry.input
class ResetUserPasswordInput:
    username: str
    password: str | None = strawberry.field(
        default=None, description="Null: generate one and return it once."
    )


@strawberry.type
class ResetUserPasswordPayload:
    generated_password: str | None
    errors: list[UserError]


@strawberry.input
class ProjectMemberInput:
    project_id: strawberry.ID
    username: str
    role: Role


@strawberry.input
class RemoveProjectMemberInput:
    project_id: strawberry.ID
    username: str


@strawberry.type
class ProjectMemberPayload:
    member: Member | None
    errors: list[UserError]


@strawberry.type
class RemoveProjectMemberPayload:
    removed_username: str | None
    errors: list[UserError]


def _member(
    found: tuple[Membership, UserAccount] | None, errors: list[UserError]
) -> ProjectMemberPayload:
    return ProjectMemberPayload(member=Member.from_rows(*found) if found else None, errors=errors)


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Sign in with a password; sets the session cookies (for the web app). "
        "Failed attempts are rate-limited per account and per client address."
    )
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        request = info.context.request
        try:
            signed_in = await signin.sign_in(
                info.context.db,
                username=input.username,
                password=input.password,
                address=auth.client_address(request),
            )
        except DomainError as error:
            return LoginPayload(user=None, errors=[UserError.from_domain(error)])
        auth.set_session_cookies(
            info.context.response,
            request,
            secret=signed_in.session_secret,
            csrf_token=signed_in.csrf_token,
            expires_at=signed_in.expires_at,
        )
        return LoginPayload(user=User.from_row(signed_in.user), errors=[])

    @strawberry.mutation(description="End the browser session and clear its cookies.")
    async def logout(self, info: Info) -> LogoutPayload:
        request = info.context.request
        secret = auth.session_secret(request)
        ended = False
        if secret:
            result, errors = await run_mutation(
                info, lambda s: account_service.sign_out(s, session_secret=secret)
            )
            if errors:
                return LogoutPayload(signed_out=False, errors=errors)
            ended = bool(result)
        auth.clear_session_cookies(info.context.response, request)
        return LogoutPayload(signed_out=ended, errors=[])

    @strawberry.mutation(description="Create a personal access token for yourself.")
    async def create_personal_access_token(
        self, info: Info, input: CreatePersonalAccessTokenInput
    ) -> CreatePersonalAccessTokenPayload:
        created, errors = await run_mutation(
            info,
            lambda s: token_service.create_token(
                s,
                actor=info.context.actor,
                name=input.name,
                scopes=[scope.value for scope in input.scopes],
                expires_at=input.expires_at,
            ),
        )
        if created is None:
            return CreatePersonalAccessTokenPayload(token=None, secret=None, errors=errors)
        return CreatePersonalAccessTokenPayload(
            token=PersonalAccessTokenType.from_row(created.token),
            secret=created.secret,
            errors=[],
        )

    @strawberry.mutation(description="Revoke one of your tokens; it stops working at once.")
    async def revoke_personal_access_token(
        self, info: Info, input: RevokePersonalAccessTokenInput
    ) -> PersonalAccessTokenPayload:
        row, errors = await run_mutation(
            info,
            lambda s: token_service.revoke_token(
                s,
                actor=info.context.actor,
                token_id=decode_id(input.id, "PersonalAccessToken"),
            ),
        )
        return PersonalAccessTokenPayload(
            token=PersonalAccessTokenType.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(description="Change your own password; signs you out everywhere.")
    async def change_password(
        self, info: Info, input: ChangePasswordInput
    ) -> ChangePasswordPayload:
        _, errors = await run_mutation(
            info,
            lambda s: account_service.set_password(
                s,
                actor=info.context.actor,
                username=info.context.actor.name,
                password=input.new_password,
                current_password=input.current_password,
            ),
        )
        return ChangePasswordPayload(changed=not errors, errors=errors)

    @strawberry.mutation(description="Create an account (instance administrators only).")
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserPayload:
        result, errors = await run_mutation(
            info,
            lambda s: account_service.create_user(
                s,
                actor=info.context.actor,
                username=input.username,
                password=input.password,
                display_name=input.display_name,
                is_admin=input.is_admin,
            ),
        )
        if result is None:
            return CreateUserPayload(user=None, generated_password=None, errors=errors)
        user, generated = result
        return CreateUserPayload(user=User.from_row(user), generated_password=generated, errors=[])

    @strawberry.mutation(description="Set a user's password (instance administrators only).")
    async def reset_user_password(
        self, info: Info, input: ResetUserPasswordInput
    ) -> ResetUserPasswordPayload:
        generated, errors = await run_mutation(
            info,
            lambda s: account_service.set_password(
                s, actor=info.context.actor, username=input.username, password=input.password
            ),
        )
        return ResetUserPasswordPayload(generated_password=generated, errors=errors)

    @strawberry.mutation(description="Give a user a role in a project (owners).")
    async def add_project_member(
        self, info: Info, input: ProjectMemberInput
    ) -> ProjectMemberPayload:
        found, errors = await run_mutation(
            info,
            lambda s: member_service.add_member(
                s,
                actor=info.context.actor,
                project_id=decode_id(input.project_id, "Project", field="projectId"),
                username=input.username,
                role=input.role,
            ),
        )
        return _member(found, errors)

    @strawberry.mutation(description="Change a member's role (owners).")
    async def update_project_member(
        self, info: Info, input: ProjectMemberInput
    ) -> ProjectMemberPayload:
        found, errors = await run_mutation(
            info,
            lambda s: member_service.change_member_role(
                s,
                actor=info.context.actor,
                project_id=decode_id(input.project_id, "Project", field="projectId"),
                username=input.username,
                role=input.role,
            ),
        )
        return _member(found, errors)

    @strawberry.mutation(
        description="Remove a member (owners), or leave a project yourself. A project keeps at "
        "least one owner."
    )
    async def remove_project_member(
        self, info: Info, input: RemoveProjectMemberInput
    ) -> RemoveProjectMemberPayload:
        user, errors = await run_mutation(
            info,
            lambda s: member_service.remove_member(
                s,
                actor=info.context.actor,
                project_id=decode_id(input.project_id, "Project", field="projectId"),
                username=input.username,
            ),
        )
        return RemoveProjectMemberPayload(
            removed_username=user.username if user else None, errors=errors
        )
