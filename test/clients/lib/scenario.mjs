// The one scenario every client plays: a system prompt, a user prompt carrying an email address
// and a card number, two tool calls (getWeather succeeds, deleteFile fails with "permission
// denied"), then a final answer. clients_test.go asserts the audit records against these values.

export const SYSTEM_PROMPT = 'You are a careful assistant. You may check the weather and manage files.';
export const USER_PROMPT =
  'I am jane.doe@example.com and my card is 4111 1111 1111 1111. ' +
  'What is the weather in Paris? Then delete /tmp/report.txt.';
export const MODEL_ID = 'mock-gpt-4o';
export const FINAL_ANSWER = 'It is sunny and 21 degrees in Paris. I could not delete /tmp/report.txt: permission denied.';
export const PERMISSION_DENIED = 'permission denied';

/** The tool calls the model asks for in its first turn. */
export const TOOL_CALLS = [
  { id: 'call_weather_1', name: 'getWeather', args: { city: 'Paris' } },
  { id: 'call_delete_1', name: 'deleteFile', args: { path: '/tmp/report.txt' } },
];

/** Token usage the mock model reports for each of its two turns. */
export const USAGE = [
  { input: 52, output: 24 },
  { input: 96, output: 21 },
];

export async function getWeather({ city }) {
  return { city, forecast: 'sunny', temperatureC: 21 };
}

export async function deleteFile({ path }) {
  throw new Error(`${PERMISSION_DENIED}: ${path}`);
}

export const TOOL_FUNCTIONS = { getWeather, deleteFile };
