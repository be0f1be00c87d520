/** A parameter read with raw `fetch`, as a hand-written client does: the contender the P2 scripts compare with. */
export const rawParameterGet = (url: string, token: string) => {
  const headers = { "X-Aws-Parameters-Secrets-Token": token }
  return async (key: string): Promise<string> => {
    const response = await fetch(
      `${url}/systemsmanager/parameters/get?name=${encodeURIComponent(`/bench/${key}`)}&withDecryption=true`,
      { headers }
    )
    const text = await response.text()
    if (response.status !== 200) throw new Error(`status ${response.status}`)
    return JSON.parse(text).Parameter.Value as string
  }
}
