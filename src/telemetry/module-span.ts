import { predictorNameInScope } from '../module/call-context.js';
import { type Attributes, captureContent, contentJSON, inSpan, outsideModuleSpan } from './otel.js';

export interface ModuleCallInfo {
  module: object;
  isPredictor: boolean;
  inputs: unknown;
}

/**
 * Spans of a module call: the outermost call is `tsdspy.program <Class>`; inside it, predictors get
 * `tsdspy.predict <dotted name>` and other modules `tsdspy.module <Class>`. A predictor called on its own gets both.
 */
export function traceModuleCall<T>(info: ModuleCallInfo, fn: () => Promise<T>): Promise<T> {
  const className = info.module.constructor.name;
  const top = outsideModuleSpan();
  const predictorSpan = () => {
    const name = predictorNameInScope(info.module);
    const signature = (info.module as { signature?: { shape?: unknown } }).signature?.shape;
    return inSpan(
      `tsdspy.predict ${name}`,
      {
        module: true,
        attributes: {
          'tsdspy.span.kind': 'predictor',
          'tsdspy.module.class': className,
          'tsdspy.predictor.name': name,
          ...(typeof signature === 'string' ? { 'tsdspy.signature': signature } : {}),
          ...contentAttributes('tsdspy.inputs', info.inputs),
        },
      },
      (span) => withOutputs(span, fn),
    );
  };
  if (!top && info.isPredictor) return predictorSpan();
  return inSpan(
    `tsdspy.${top ? 'program' : 'module'} ${className}`,
    {
      module: true,
      attributes: {
        'tsdspy.span.kind': top ? 'program' : 'module',
        'tsdspy.module.class': className,
        ...contentAttributes('tsdspy.inputs', info.inputs),
      },
    },
    (span) => withOutputs(span, info.isPredictor ? predictorSpan : fn),
  );
}

async function withOutputs<T>(span: { setAttributes(a: Attributes): unknown } | undefined, fn: () => Promise<T>): Promise<T> {
  const outputs = await fn();
  if (span) span.setAttributes(contentAttributes('tsdspy.outputs', outputs));
  return outputs;
}

function contentAttributes(key: string, value: unknown): Attributes {
  if (!captureContent()) return {};
  const plain = (value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? value;
  return { [key]: contentJSON(plain) };
}
