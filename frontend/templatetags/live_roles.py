"""`{% if_facilitator <expr> %} … {% else %} … {% endif_facilitator %}`: what a facilitator and
a member see differently in a live fragment (frontend.live_roles).

On a page it is `{% if <expr> %}`. In a split render (`live_roles` in the context) it renders
both branches, each with its role's context, between the render's markers.
"""

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe

from frontend.live_roles import FACILITATOR, MEMBER

register = template.Library()


class IfFacilitatorNode(template.Node):
    def __init__(
        self, condition: FilterExpression, facilitator: NodeList, member: NodeList
    ) -> None:
        self.condition = condition
        self.facilitator = facilitator
        self.member = member

    def render(self, context: template.Context) -> SafeString | str:
        split = context.get("live_roles")
        if split is None:
            chosen = self.facilitator if self.condition.resolve(context) else self.member
            return chosen.render(context)
        parts = []
        for role, nodes, mark in ((FACILITATOR, self.facilitator, "f"), (MEMBER, self.member, "m")):
            # Inside a branch the role is known: inner tags are plain ifs.
            with context.push(live_roles=None, **split.roles[role]):
                parts.append(split.mark(mark) + nodes.render(context))
        return mark_safe("".join(parts) + split.mark("e"))  # noqa: S308  (rendered nodes)


@register.tag
def if_facilitator(parser: Parser, token: Token) -> IfFacilitatorNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("if_facilitator takes one condition")
    condition = parser.compile_filter(bits[1])
    facilitator = parser.parse(("else", "endif_facilitator"))
    member = NodeList()
    if parser.next_token().contents == "else":
        member = parser.parse(("endif_facilitator",))
        parser.delete_first_token()
    return IfFacilitatorNode(condition, facilitator, member)
