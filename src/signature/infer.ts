/**
 * Type-level twin of `parse.ts`: turns a signature string literal into its input and output object types,
 * so `new Predict('question -> answer: number')` yields `{ answer: number }` with no annotation.
 * Kept in agreement with the runtime parser by `test/signature.test-d.ts`.
 */

type Whitespace = ' ' | '\n' | '\t' | '\r';

export type Trim<S extends string> = S extends `${Whitespace}${infer R}`
  ? Trim<R>
  : S extends `${infer L}${Whitespace}`
    ? Trim<L>
    : S;

/** Removes `"descriptions"`, which may hold commas or arrows that would confuse the split below. */
type StripDescriptions<S extends string> = S extends `${infer A}"${string}"${infer B}` ? StripDescriptions<`${A}${B}`> : S;

type SplitComma<S extends string> = S extends `${infer H},${infer T}` ? [H, ...SplitComma<T>] : [S];

type RawName<F extends string> = F extends `${infer N}:${string}` ? Trim<N> : Trim<F>;
type RawType<F extends string> = F extends `${string}:${infer T}` ? Trim<T> : 'string';

type IsOptional<F extends string> = RawName<F> extends `${string}?` ? true : false;
type FieldName<F extends string> = RawName<F> extends `${infer N}?` ? Trim<N> : RawName<F>;

type LiteralOne<T extends string> = T extends `'${infer V}'` ? V : never;
type LiteralUnion<T extends string> = T extends `${infer A}|${infer B}`
  ? LiteralOne<Trim<A>> | LiteralUnion<B>
  : LiteralOne<Trim<T>>;

export type TypeFromName<T extends string> = T extends 'string' | 'str'
  ? string
  : T extends 'number' | 'float' | 'int'
    ? number
    : T extends 'boolean' | 'bool'
      ? boolean
      : T extends 'json'
        ? unknown
        : T extends `${infer E}[]`
          ? TypeFromName<Trim<E>>[]
          : T extends `'${string}`
            ? LiteralUnion<T>
            : unknown;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type FieldsToObject<Fields extends string> = Simplify<
  { [F in Fields as IsOptional<F> extends true ? never : FieldName<F>]: TypeFromName<RawType<F>> } & {
    [F in Fields as IsOptional<F> extends true ? FieldName<F> : never]?: TypeFromName<RawType<F>>;
  }
>;

type SideFields<S extends string> = SplitComma<S>[number];

type Sides<S extends string> = StripDescriptions<S> extends `${infer In}->${infer Out}` ? [In, Out] : never;

/** Input object type of a signature string; `Record<string, unknown>` when the string is not a literal. */
export type InputsOfString<S extends string> = string extends S
  ? Record<string, unknown>
  : Sides<S> extends [infer In extends string, string]
    ? FieldsToObject<SideFields<In>>
    : never;

/** Output object type of a signature string; `Record<string, unknown>` when the string is not a literal. */
export type OutputsOfString<S extends string> = string extends S
  ? Record<string, unknown>
  : Sides<S> extends [string, infer Out extends string]
    ? FieldsToObject<SideFields<Out>>
    : never;
