// The fixed payloads the conformance scenarios compare against.

/** A 1×1 red PNG. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

/** A WAV header with two bytes of silence. */
export const WAV_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

export const text = (value: string) => ({ type: 'text' as const, text: value });

export const image = () => ({ type: 'image' as const, data: PNG_BASE64, mimeType: 'image/png' });

/** A one-field form schema, as the elicitation scenarios send back an answer for. */
export function formSchema<T extends 'string' | 'boolean'>(field: string, type: T) {
  const properties: Record<string, { type: T }> = { [field]: { type } };
  return { type: 'object' as const, properties, required: [field] };
}
