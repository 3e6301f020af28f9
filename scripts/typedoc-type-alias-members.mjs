// @ts-check
/**
 * A TypeDoc plugin (typedoc.json `plugin`): the members of a type alias have no default values.
 * An event type listed with `@useDeclaredType` (`Call`, `Contact`, ...) takes its members from the
 * zod schema's object literal, and TypeDoc would print each one's initializer as if it were a default
 * (`id: string = idSchema`), which a reader of the type could only take for one.
 */
import { Converter, DeclarationReflection, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const member of context.project.getReflectionsByKind(ReflectionKind.Property)) {
      let owner = member.parent;
      while (owner?.kindOf(ReflectionKind.Property | ReflectionKind.TypeLiteral)) owner = owner.parent;
      if (owner?.kindOf(ReflectionKind.TypeAlias) && member instanceof DeclarationReflection) {
        member.defaultValue = undefined;
      }
    }
  });
}
